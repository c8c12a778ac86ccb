"""The reply analyzer: rules as data, one analysis for scoring, feedback and personas."""

from .context import CallContext
from .engine import Analysis, Analyzer, Hit, RedLine, analyze, get_analyzer
from .rulepack import FEATURES, RED_LINES, RulePack, get_pack, load_pack

__all__ = [
    "Analysis", "Analyzer", "CallContext", "FEATURES", "Hit", "RED_LINES", "RedLine", "RulePack",
    "analyze", "get_analyzer", "get_pack", "load_pack",
]
