"""``genrelib book``: execute the chapter notebooks with papermill and build the HTML book.

    genrelib book [--profile quick|full] [--data PATH] [--seed N] [--only 01,02]
                  [--no-html] [--out DIR] [--strict] [--fresh] [--jobs N]

Prints each chapter as it starts and ends (its time, or "cached"); stops at the first failing
notebook naming it and the cell. ``--jobs`` chapters run side by side (default 2 on two or
more cores), each once the chapters whose runs it reuses are done.
The executed copies are tidied before the HTML build (see ``genrelib.build``): one
parameters cell showing the values used, and no machine paths (the cache, ``--data``,
repository and home folders read ``$GENREBOOK_CACHE``, ``$DATA``, relative and ``~``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from genrelib.commands.outputs import FOLDER


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "book",
        help="execute the notebooks (papermill) and build the HTML book (Jupyter Book)",
        description=(
            "Execute every chapter notebook with papermill into OUT/executed (--jobs at a time, "
            "each after the chapters whose runs it reuses), then "
            "build the static HTML book (Jupyter Book v1, execution off) at OUT/html/index.html."
        ),
    )
    parser.add_argument("--profile", choices=("quick", "full"), default="quick",
                        help="quick: minutes on a laptop/CI; full: the real experiment (default quick)")
    parser.add_argument("--data", default="", metavar="PATH",
                        help="folder holding GTZAN (or any genre/<files> tree), shown as $DATA "
                             "on the pages; default: synthetic data generated and cached on the fly")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--only", default=None, metavar="NN[,NN...]",
                        help="execute only these chapters, e.g. 01,02 (the book still lists "
                             "every chapter: build it after a full run)")
    parser.add_argument("--no-html", action="store_true", help="execute the notebooks only")
    parser.add_argument("--html-only", action="store_true",
                        help="build the HTML from the notebooks already executed in OUT/executed")
    parser.add_argument("--out", default="_build", metavar="DIR", help="build folder (default _build)")
    parser.add_argument("--strict", action="store_true", help="treat Sphinx warnings as errors")
    parser.add_argument("--fresh", action="store_true",
                        help="execute every chapter again, even one whose cached executed copy is up to date")
    parser.add_argument("--jobs", type=int, default=None, metavar="N",
                        help="chapters executed side by side, each once the chapters whose runs it "
                             "reuses are done (default: 2 on two or more CPU cores, else 1)")
    parser.set_defaults(func=run, outputs=[("--out", "out", FOLDER)])


def run(args: argparse.Namespace) -> int:
    from genrelib.build import BookBuildError, NotebookExecutionError, build_html, execute_notebooks
    from genrelib.build.execute import default_jobs
    from genrelib.errors import UserError

    out = Path(args.out)
    executed = out / "executed"
    only = [item for item in args.only.split(",") if item.strip()] if args.only else None
    if args.no_html and args.html_only:
        raise UserError("--no-html and --html-only exclude each other")
    if args.jobs is not None and args.jobs < 1:
        raise UserError(f"--jobs must be an integer >= 1, got {args.jobs}")
    try:
        if not args.html_only:
            execute_notebooks(profile=args.profile, data_dir=args.data, seed=args.seed,
                              notebooks=only, out_dir=executed, fresh=args.fresh,
                              jobs=args.jobs or default_jobs())
        if not args.no_html:
            build_html(executed_dir=executed, out_dir=out, strict=args.strict)
    except NotebookExecutionError as error:
        print(f"genrelib book: error: {error}", file=sys.stderr)
        return 1
    except BookBuildError as error:
        print(f"genrelib book: error: {error}", file=sys.stderr)
        return 1
    return 0
