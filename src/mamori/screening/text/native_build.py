"""Build the compiled prompt-matcher modules (see mamori.screening.text.native).

python -m mamori.screening.text.native_build build [--optional] [-v]
python -m mamori.screening.text.native_build status
"""

from __future__ import annotations

import sys

from mamori.screening.text import native


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    cmd = args[0] if args else "status"
    if cmd == "build":
        try:
            path = native.build(verbose="-v" in args)
        except Exception as exc:  # noqa: BLE001 - a missing compiler or mypy is not fatal: pure Python runs
            print(f"native build skipped: {type(exc).__name__}: {exc}", file=sys.stderr)
            return 0 if "--optional" in args else 1
        print(f"compiled {', '.join(native.MODULES)} into {path}")
        return 0
    if cmd == "status":
        why = native._stamp_ok(native.NATIVE_DIR)
        print("compiled build matches the sources" if why is None else why)
        return 0
    print(
        "usage: python -m mamori.screening.text.native_build build [--optional] [-v] | status",
        file=sys.stderr,
    )
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
