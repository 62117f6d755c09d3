import sys
from pathlib import Path

# The project builder and test server shared with tests/functions.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "functions"))
