"""The book's build tooling, apart from the library a learner reads: ``genrelib book``.

``chapters`` finds the notebooks, ``execute`` runs them with papermill (``notebook_cache``
skips unchanged ones), ``tidy`` cleans the executed copies, ``pages`` writes the pages made
from records (``speed``: the training-speed appendix), ``site`` builds the HTML with Jupyter
Book and ``launch`` keeps the chapters' Colab install cell. No module of the core path
imports this package.
"""

from __future__ import annotations

from genrelib.build.chapters import NOTEBOOKS_DIR, REPO_ROOT, find_notebooks, toc_files
from genrelib.build.execute import NotebookExecutionError, NotebookRun, execute_notebooks
from genrelib.build.pages import GENERATED_PAGES, write_generated_pages
from genrelib.build.site import BookBuildError, build_html, stage_book
from genrelib.build.tidy import Tidied, portable_names, tidy_executed_notebook

__all__ = ["GENERATED_PAGES", "NOTEBOOKS_DIR", "REPO_ROOT", "BookBuildError", "NotebookExecutionError",
           "NotebookRun", "Tidied", "build_html", "execute_notebooks", "find_notebooks", "portable_names",
           "stage_book", "tidy_executed_notebook", "toc_files", "write_generated_pages"]
