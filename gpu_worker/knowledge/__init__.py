"""Answers from the business's own documents during a call, with the source said after them.

knowledge_answerer.py (retrieve, threshold, phrase, cite; the planner's entry point), questions.py
(is this a question documents might answer?), answer_phrasing.py (the prompt and its guard),
knowledge_lines.py (what is said, per language), citation_log.py (what was answered, for the
console), embed_route.py (the console's uploads are embedded here, by the worker's model).
"""
