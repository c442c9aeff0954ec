"""Principles, categories, topics, companies, levels and the question bank."""

from starcoach.knowledge.base import KnowledgeBase, load_knowledge
from starcoach.knowledge.models import PRINCIPLE_IDS, Principle, Question

__all__ = ["PRINCIPLE_IDS", "KnowledgeBase", "Principle", "Question", "load_knowledge"]
