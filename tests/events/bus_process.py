"""Holds an Event Listener with delivery paused, emits one event, prints its ids, then waits.

A test kills this process with SIGKILL to show the event survives a crash.
"""

import asyncio
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "functions"))

from function_harness import make_runtime  # noqa: E402

from catalyst_local.events.bus import EventBus  # noqa: E402


async def main(root: Path) -> None:
    runtime = make_runtime(root)
    bus = EventBus(runtime, runtime.data_dir / "events.sqlite3")
    bus.pause()
    await bus.start()
    ids = bus.emit("Cache", "Put", "4000000012077", "Orders",
                   {"cache_name": "k1", "cache_value": "v1"})
    print(json.dumps(ids), flush=True)
    await asyncio.sleep(600)


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1])))
