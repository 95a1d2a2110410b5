"""The TwiML of an outbound call: the stream to a worker once answered, and the voicemail after a beep."""

from __future__ import annotations

from twilio.twiml.voice_response import VoiceResponse

from shared.agents.definition import AgentDefinition
from shared.repositories.calls import Call
from shared.repositories.workers import Worker
from shared.settings import Settings
from shared.signatures import issue_stream_token

VOICEMAIL_VOICE = "Polly.Joanna"
# A person picking up says "Hello?" at once. Streamed, that hello talks over the disclosure (a barge-in
# cuts it) and is taken as the answer to the first question; measured in `campaign eval`. Pausing
# before the stream lets the hello pass; the disclosure then starts into the silence after it.
ANSWER_PAUSE_S = 2


def stream_to_worker(settings: Settings, call: Call, worker: Worker, *, campaign_id: str) -> str:
    """<Connect><Stream> with a fresh stream token; `direction` and the campaign say whose goal it is."""
    token = issue_stream_token(secret=settings.dashboard_webhook_secret, call_sid=call.call_sid)
    parameters = {
        "token": token,
        "call_sid": call.call_sid,
        "business_id": call.business_id or "",
        "from": call.from_number,
        "to": call.to_number,
        "mode": call.mode,
        "direction": "outbound",
        "campaign_id": campaign_id,
    }
    response = VoiceResponse()
    response.pause(length=ANSWER_PAUSE_S)
    stream = response.connect().stream(url=worker.websocket_url)
    for name, value in parameters.items():
        stream.parameter(name=name, value=value)
    return str(response)


def voicemail_message(definition: AgentDefinition, *, business_name: str, language: str = "en") -> str:
    """The definition's short voicemail message, with the business named; empty when it has none."""
    outbound = definition.outbound
    if outbound is None or not outbound.voicemail:
        return ""
    text = outbound.voicemail.get(language) or next(iter(outbound.voicemail.values()), "")
    return text.replace("{business}", business_name)


def leave_voicemail(message: str) -> str:
    """Said after the machine's beep (DetectMessageEnd), then the call ends."""
    response = VoiceResponse()
    if message:
        response.say(message, voice=VOICEMAIL_VOICE)
    response.hangup()
    return str(response)
