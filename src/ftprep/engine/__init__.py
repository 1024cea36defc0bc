"""The engine: recipes, the local executor over shards, and runs with rejects, stats and resume."""

from ftprep.engine.layout import RunLayout
from ftprep.engine.recipe import Recipe, load_recipe, parse_recipe
from ftprep.engine.run import RunResult, run
from ftprep.engine.yamlfile import RecipeError

__all__ = ["Recipe", "RecipeError", "RunLayout", "RunResult", "load_recipe", "parse_recipe", "run"]
