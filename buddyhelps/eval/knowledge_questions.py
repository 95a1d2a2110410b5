"""The knowledge set: questions a caller asks over the demo business's documents, with the source that
holds each answer (None: the documents don't answer it, and the agent must not)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class EvalQuestion:
    question: str
    source: str | None  # the document title that answers it
    language: str = "en"
    also: tuple[str, ...] = ()  # other documents that answer it too

    def cited_right(self, title: str) -> bool:
        return self.source is not None and title in (self.source, *self.also)


QUESTIONS: tuple[EvalQuestion, ...] = (
    EvalQuestion("Do you work on tankless water heaters?", "Service list"),
    EvalQuestion("Can you install a Navien tankless unit?", "Service list"),
    EvalQuestion("Do you do hydro jetting for sewer lines?", "Service list"),
    EvalQuestion("Can you run a camera down my drain to look for roots?", "Service list"),
    EvalQuestion("Do you fix garbage disposals?", "Service list"),
    EvalQuestion("Do you test backflow preventers?", "Service list"),
    EvalQuestion("Do you work on gas lines for a stove?", "Service list"),
    EvalQuestion("Do you pump septic tanks?", "Service list"),
    EvalQuestion("Do you replace sump pumps?", "Service list"),
    EvalQuestion("Can you find a leak under the slab?", "Service list"),
    EvalQuestion("How much is the call-out fee?", "Price sheet"),
    EvalQuestion("What do you charge per hour?", "Price sheet"),
    EvalQuestion("How much does an emergency visit at night cost?", "Price sheet"),
    EvalQuestion("How much is it to install a tankless water heater?", "Price sheet"),
    EvalQuestion("What does descaling a tankless heater cost?", "Price sheet"),
    EvalQuestion("Are estimates free?", "Price sheet"),
    EvalQuestion("What areas do you cover?", "Service area and hours"),
    EvalQuestion("Do you come out to Ogdenville?", "Service area and hours"),
    EvalQuestion("Is there an extra charge if I live far away?", "Service area and hours"),
    EvalQuestion("What time does your office open on Saturday?", "Service area and hours", also=("FAQ",)),
    EvalQuestion("What payment methods do you accept?", "Policies"),
    EvalQuestion("Do you take credit cards?", "Policies"),
    EvalQuestion("Do your repairs come with a warranty?", "Policies"),
    EvalQuestion("What is your cancellation policy?", "Policies"),
    EvalQuestion("Are you licensed and insured?", "Policies"),
    EvalQuestion("What should I do before the plumber arrives?", "Policies"),
    EvalQuestion("Do you offer financing?", "Policies"),
    EvalQuestion("How fast can you get here in an emergency?", "FAQ"),
    EvalQuestion("Can I send you pictures of the leak?", "FAQ"),
    EvalQuestion("Do you work for landlords?", "FAQ"),
    EvalQuestion("Do you clean up after the job?", "FAQ"),
    EvalQuestion("¿Trabajan con calentadores sin tanque?", "Preguntas frecuentes", "es"),
    EvalQuestion("¿Qué zonas cubren?", "Preguntas frecuentes", "es"),
    EvalQuestion("¿Aceptan tarjetas de crédito?", "Preguntas frecuentes", "es"),
    # Not in the documents: the agent must say so, not answer.
    EvalQuestion("Do you fix cars?", None),
    EvalQuestion("Do you install solar panels?", None),
    EvalQuestion("Can I pay with bitcoin?", None),
    EvalQuestion("What's the weather going to be tomorrow?", None),
    EvalQuestion("Do you sell kitchen cabinets?", None),
    EvalQuestion("Who won the game last night?", None),
    EvalQuestion("Do you repair roofs?", None),
    EvalQuestion("Do you have a senior discount?", None),
    EvalQuestion("¿Venden paneles solares?", None, "es"),
)
