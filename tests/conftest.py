import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from gateway import gateway  # noqa: E402,F401  (session fixture: a real LiteLLM proxy)

import os  # noqa: E402
import tempfile  # noqa: E402

# The spec cache of every run under test (in-process and subprocesses) lives in a throw-away directory.
os.environ["FLOWGATE_LINT_CACHE_DIR"] = tempfile.mkdtemp(prefix="flowgate-lint-cache-")
# The suite checks every rule, the preview rules included (tests/test_preview.py checks the default
# selection with this unset).
os.environ["FLOWGATE_LINT_PREVIEW"] = "1"

from hypothesis import settings as _hypothesis_settings  # noqa: E402

# "ci" is run by .ci/run (CI=true): 2,600 examples for each of the 4 property tests, 10,400 in all.
_hypothesis_settings.register_profile("ci", max_examples=2600, derandomize=True, print_blob=True)
_hypothesis_settings.register_profile("dev", max_examples=150)
_hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev"))
