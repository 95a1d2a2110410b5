"""The simulated Twilio REST API: what the twilio SDK talks to when TWILIO_API_BASE_URL points here.

`POST /2010-04-01/Accounts/{sid}/Calls.json` creates an outbound call and plays the callee found for the
`To` number in a callee book (buddyhelps/simulator/callees/) — a person, an answering machine, busy, no
answer or failed — exactly as Twilio would: signed webhooks, the media stream, async AMD, status callbacks.
`POST .../Calls/{CallSid}.json` updates a live call (`Twiml=`: redirect it; `Status=completed`: hang up),
whether placed here or an inbound call the caller simulator is on (`inbound`: a transfer's <Dial>).

Routes are small functions on one APIRouter built by `api_router`, so another REST resource (say a
transfer's `<Dial>`) is one more route beside these.
"""

from __future__ import annotations

import asyncio
import base64
import hmac
import logging
from collections.abc import Mapping
from typing import Annotated

import httpx
from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse

from buddyhelps.simulator.callee_book import Callee
from buddyhelps.simulator.callee_call import CalleeCall, CalleePlayer, CallRequest
from buddyhelps.simulator.caller_voice import CallerVoice
from buddyhelps.simulator.live_redirects import LiveRedirects
from buddyhelps.simulator.twilio_recordings import RecordingStore, recordings_router
from buddyhelps.simulator.twilio_webhooks import API_VERSION, WebhookTarget, new_sid

log = logging.getLogger(__name__)
HANG_UP = "<Response><Hangup/></Response>"  # what an update without TwiML does to a live call here


class SimulatedTwilio:
    """The calls the simulated API has placed and the tasks playing them."""

    def __init__(
        self, *, target: WebhookTarget, account_sid: str, callees: Mapping[str, Callee], voice: CallerVoice
    ) -> None:
        self.target = target
        self.account_sid = account_sid
        self.callees = dict(callees)
        self.voice = voice
        self.inbound = LiveRedirects()  # the caller simulator's own calls, which a transfer redirects
        self.calls: dict[str, CalleeCall] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._finished = asyncio.Condition()
        self._http: httpx.AsyncClient | None = None

    async def __aenter__(self) -> SimulatedTwilio:
        self._http = httpx.AsyncClient(timeout=15.0)
        return self

    async def __aexit__(self, *_: object) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._http is not None:
            await self._http.aclose()

    def start(self, request: CallRequest) -> CalleeCall:
        assert self._http is not None, "use SimulatedTwilio as an async context manager"
        call = CalleeCall(request=request, callee=self.callees.get(request.to_number))
        self.calls[request.call_sid] = call
        player = CalleePlayer(target=self.target, voice=self.voice, http=self._http)
        task = asyncio.create_task(self._play(player, call), name=f"callee-{request.call_sid}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return call

    async def _play(self, player: CalleePlayer, call: CalleeCall) -> None:
        try:
            await player.play(call)
        except Exception:  # one call's failure is recorded on it and must not end the others
            log.exception("simulated call failed")
            call.notes.append("simulator error")
        finally:
            async with self._finished:
                self._finished.notify_all()

    async def wait_finished(self, count: int) -> None:
        """Until `count` calls have ended (a final status)."""
        async with self._finished:
            await self._finished.wait_for(lambda: self.finished_count() >= count)

    def finished_count(self) -> int:
        final = {"completed", "busy", "no-answer", "failed", "canceled"}
        return sum(1 for call in self.calls.values() if call.status in final)


def _state(request: Request) -> SimulatedTwilio:
    state: SimulatedTwilio = request.app.state.twilio
    return state


def _authorised(request: Request, account_sid: str) -> SimulatedTwilio:
    twilio = _state(request)
    expected = "Basic " + base64.b64encode(f"{twilio.account_sid}:{twilio.target.auth_token}".encode()).decode()
    if account_sid != twilio.account_sid or not hmac.compare_digest(request.headers.get("authorization", ""), expected):
        raise HTTPException(status_code=401, detail={"code": 20003, "message": "Authenticate", "status": 401})
    return twilio


Twilio = Annotated[SimulatedTwilio, Depends(_authorised)]


def _resource(call: CalleeCall) -> dict[str, str | None]:
    request = call.request
    return {
        "sid": request.call_sid,
        "account_sid": request.account_sid,
        "to": request.to_number,
        "from": request.from_number,
        "status": call.status,
        "direction": "outbound-api",
        "api_version": API_VERSION,
        "answered_by": call.answered_by or None,
        "uri": f"/{API_VERSION}/Accounts/{request.account_sid}/Calls/{request.call_sid}.json",
    }


def _error(status: int, code: int, message: str) -> JSONResponse:
    return JSONResponse(status_code=status, content={"code": code, "message": message, "status": status})


def api_router() -> APIRouter:
    router = APIRouter(prefix=f"/{API_VERSION}/Accounts/{{account_sid}}")

    @router.post("/Calls.json")
    async def create_call(request: Request, twilio: Twilio) -> JSONResponse:
        form = {key: str(value) for key, value in (await request.form()).multi_items()}
        to, from_, url = form.get("To", ""), form.get("From", ""), form.get("Url", "")
        if not to.startswith("+") or not from_ or not url:
            return _error(400, 21201 if not to else 21205, "To, From and Url are required")
        events = tuple(str(v) for v in (await request.form()).getlist("StatusCallbackEvent")) or ("completed",)
        call_request = CallRequest(
            call_sid=new_sid("CA"),
            account_sid=twilio.account_sid,
            to_number=to,
            from_number=from_,
            url=url,
            status_callback=form.get("StatusCallback", ""),
            status_events=events,
            amd_callback=form.get("AsyncAmdStatusCallback", "") if form.get("MachineDetection") else "",
        )
        return JSONResponse(status_code=201, content=_resource(twilio.start(call_request)))

    @router.post("/Calls/{call_sid}.json")
    async def update_call(call_sid: str, request: Request, twilio: Twilio) -> JSONResponse:
        call = twilio.calls.get(call_sid)
        form = await request.form()
        if call is None and twilio.inbound.redirect(call_sid, str(form.get("Twiml", "")) or HANG_UP):
            return JSONResponse(status_code=200, content={"sid": call_sid, "status": "in-progress"})
        if call is None:
            return _error(404, 20404, f"The requested resource /Calls/{call_sid}.json was not found")
        if call.status != "in-progress":
            return _error(400, 21220, "Call is not in-progress. Cannot redirect.")
        twiml = str(form.get("Twiml", ""))
        call.redirect_twiml = twiml or HANG_UP
        call.redirected.set()
        return JSONResponse(status_code=200, content=_resource(call))

    return router


def create_twilio_api(twilio: SimulatedTwilio, *, recordings: RecordingStore | None = None) -> FastAPI:
    """The REST API; with `recordings`, also the Recordings that <Record> kept (see twilio_recordings.py)."""
    app = FastAPI(title="Simulated Twilio REST API", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.twilio = twilio
    app.include_router(api_router())
    if recordings is not None:
        app.include_router(recordings_router(recordings))
    return app
