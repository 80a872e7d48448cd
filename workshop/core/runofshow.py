"""The one run of show: the stages of the 90-minute call, their minutes and what to say.

The facilitator guide's table, the console's agenda and each stage notebook's
header are all drawn from ``SLOTS``, so the times and the order cannot disagree;
so are the notebooks' **Say:** lines (``aloud``, written into the notebooks by
``python -m workshop.outputs.guide``), so the words to say are written once.
The order here is the order of the call (the welcome on the invite page comes
before the grounding read-back on the setup page), not the notebooks' numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

from workshop.core.errors import N_


@dataclass(frozen=True)
class Slot:
    #: The stage (``core.stages``) the facilitator runs this part of the call from.
    stage: str
    #: Minutes from the start of the call.
    start: int
    end: int
    #: What this part of the call is called (translated when shown).
    title: str
    #: What the facilitator does and says, in one or two sentences (translated when shown).
    say: str
    #: The words to say aloud, each a **Say:** line of the stage notebook (English, as the notebooks are).
    aloud: tuple[str, ...] = ()

    @property
    def minutes(self) -> int:
        return self.end - self.start


SLOTS: tuple[Slot, ...] = (
    Slot("invite", 0, 10, N_("Welcome"),
         N_("Paste the participant link in the chat, show the QR code for phones and read the join code aloud. "
            "Explain the goal: one vision, five values, by the end of the call."),
         ("Please open the link I am pasting into the chat, or scan the QR code with your phone. "
          "Type the name you want the others to see and press Join.",
          "By the end of this call we will have one vision and five values: one line that says what kind of "
          "service our customers get, about five values that give it everyday meaning, and for each value what "
          "we do and how we will know.")),
    Slot("setup", 10, 15, N_("Grounding"),
         N_("Read back the purpose and the customer-needs answers. Ask: is this still true?"),
         ("Before we write anything, here is what we said about our customers and about support. "
          "Is this still true?",)),
    Slot("brainstorm", 15, 30, N_("Brainstorm"),
         N_("Read the question aloud and start a 10-minute timer. Everyone writes alone; "
            "the room sees how many cards exist, not what they say. When the writing slows, reveal the cards."),
         ("One question for everyone: what do you want our customers to think of when they think of our "
          "service experience? Write one idea per card, as many as you like. Nobody sees your cards until I "
          "show them all at once, so do not hold back, and do not worry if an idea is vague: we will sort "
          "them out together.",)),
    Slot("values", 30, 45, N_("Core values"),
         N_("Cluster the cards that belong together and name each cluster as a value. "
            "Let the group argue about names; merge near-duplicates."),
         ("Let us sort the cards into groups that mean the same thing, and give each group a name: one word "
          "if we can. These are our candidate values.",)),
    Slot("voting", 45, 60, N_("Dot voting"),
         N_("Open a round and start a timer. Close it when everyone has voted, show the result, "
            "talk about it, then open the run-off or the next round. Stop at five values."),
         ("You each have a few dots. Put them on the values you would still defend when a customer is angry "
          "and the queue is long. You can put more than one dot on a value, up to the limit on your screen, "
          "and you can move your dots until I close the round. Nobody sees who voted for what — not even me. "
          "I only see who has voted.",)),
    Slot("vision", 60, 75, N_("Vision"),
         N_("Everyone drafts a one-line vision (5 minutes), then rates each draft on the three criteria. "
            "Close rating, discuss the highest means and the widest spreads, and choose the vision."),
         ("Using our five values, write the line you would like a customer to repeat about us after talking "
          "to support. Write as many drafts as you like; nobody sees who wrote which.",)),
    Slot("actions", 75, 87, N_("Making it actionable"),
         N_("For each value, one action statement that starts with a verb or “I”, "
            "and one or two metrics that show it is lived."),
         ("For each value: what would a customer see us do on a good day? Say it as an action. Then: which "
          "number would tell us we are doing it?",)),
    Slot("publish", 87, 90, N_("Close"),
         N_("Show the finished philosophy, download the documents and the CSV files, "
            "and tell the group what happens next.")),
)

BY_STAGE = {s.stage: s for s in SLOTS}

#: How long the whole call takes.
TOTAL_MINUTES = SLOTS[-1].end


def slot(stage: str) -> Slot | None:
    """The run-of-show slot of ``stage`` (None for stages outside the call: control, follow-ups)."""
    return BY_STAGE.get(stage)
