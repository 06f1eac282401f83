"""What the tests share: helpers live here, and test files import them from here only (never
from one another, nor from a conftest)."""
