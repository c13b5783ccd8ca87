"""Feedback that refines the assistant: corrections, verdicts, and what they change.

Feedback is stored in the core ``feedback`` table, each row tied to a logged
turn (and so to its user and the model version that classified it). Nothing
else holds it: the learned examples and the distrusted sentences below are
read from those rows, so deleting a user's turns and feedback deletes what was
learned from them.

* A correction (``correct_intent``) is applied at once by :class:`Memory`: the
  same sentence, or a near-identical one, gets the corrected intent the next
  time, before the classifier is asked. In the background, :class:`Learner`
  fits the user's own intent layer on the shipped examples plus the user's
  corrections and swaps it in when ready; until then the previous model
  answers.
* A thumbs-down on a reply given with low confidence makes similar sentences
  get a clarifying question instead of an action.
* Unless ``feedback.share_learning`` is on, what one user teaches is used for
  that user only.
"""

from __future__ import annotations

from assistant.feedback.learner import Learner
from assistant.feedback.loop import FeedbackLoop
from assistant.feedback.memory import Memory

__all__ = ["FeedbackLoop", "Learner", "Memory"]
