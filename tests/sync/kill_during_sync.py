"""Run one sync of the library in argv[1] and SIGKILL this process at a chosen moment
(argv[2]): "after-push" (the server committed a batch, the library has not forgotten it)
or "mid-pull" (halfway through applying a batch from the server)."""

import os
import signal
import sys

from readinglist.library import Library
from readinglist.sync import local


def main() -> None:
    folder, moment = sys.argv[1], sys.argv[2]
    library = Library(folder)
    library.sync.batch_size = 100
    if moment == "after-push":

        def die(db, up_to):
            os.kill(os.getpid(), signal.SIGKILL)

        local.forget_pushed = die
    else:
        real, applied = local.apply_row, [0]

        def apply_then_die(*args):
            real(*args)
            applied[0] += 1
            if applied[0] == 150:
                os.kill(os.getpid(), signal.SIGKILL)

        local.apply_row = apply_then_die
    library.sync.run()
    print("sync finished without being killed", file=sys.stderr)
    sys.exit(3)


if __name__ == "__main__":
    main()
