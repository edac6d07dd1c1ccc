"""``genrelib train DATA --model cnn|rnn|crnn|logreg|svm|vgg-probe|... --profile quick|full --out RUN_DIR ...``

``--augment LIST`` (e.g. ``crop,mixup`` or ``default``) augments a deep model's training
stream (``genrelib.augment``; Notebook: 08_small_data.ipynb). ``--n-mfcc 13|20`` sets the
MFCCs of the models that read them (rnn, logreg, svm; Notebook: 04_rnn.ipynb).

Trains one model with the study's recipe (the classical logreg/svm: one scikit-learn fit on
segment statistics) on DATA (GTZAN in either layout, any ``<genre>/<audio>`` tree, or
"synthetic" for the built-in synthetic set of the profile) and writes the run folder
(model.keras or, for logreg/svm, model.skops; config.json, history.csv, metrics.json,
split.json). ``--batch-size N`` (learning rate scaled 1e-3 x N/32 unless ``--lr``),
``--precision float32|mixed`` and ``--devices N`` say how it trains; e.g. on a GPU:
``KERAS_BACKEND=jax genrelib train DATA --model crnn --profile full --batch-size 128
--precision mixed --out runs/crnn``. TensorFlow is imported only when the command runs.
"""

from __future__ import annotations

import argparse
import json
import os
import warnings
from typing import Any

from genrelib.commands.features import N_MFCC_CHOICES, add_scheduler_argument
from genrelib.commands.outputs import FOLDER
from genrelib.config import AGGREGATION_METHODS, PRECISIONS, PROFILE_NAMES, PROFILES, FeatureConfig
from genrelib.datasets.splits import SPLIT_CHOICES
from genrelib.errors import UserError
from genrelib.models import ALL_MODEL_KINDS
from genrelib.runs import RUN_FILES, SKOPS_MODEL_FILE

__all__ = ["register", "run_train", "parse_options"]


def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0.0 <= value < 1.0:
        raise argparse.ArgumentTypeError(f"must be in [0, 1), got {value}")
    return value


def register(subparsers: Any) -> None:
    """Add ``train`` to the ``genrelib`` parser."""
    parser = subparsers.add_parser(
        "train", help="train a CNN, RNN, CRNN, a classical baseline or a pretrained tagger's probe; write a run folder",
        description="Train a model with the study's recipe (Adam 1e-3, batch 32, early stopping, "
                    f"learning rate /10 on plateau) and write RUN_DIR/{{{', '.join(RUN_FILES)}}}. "
                    "logreg and svm (logistic regression, RBF SVM on per-segment statistics of "
                    f"MFCCs and spectral/chroma descriptors) are fitted once and saved as {SKOPS_MODEL_FILE}.")
    parser.add_argument("data", metavar="DATA",
                        help='dataset folder, or "synthetic" for the built-in synthetic GTZAN')
    parser.add_argument("--model", choices=ALL_MODEL_KINDS, default="cnn",
                        help="the study's cnn, rnn, crnn, logreg, svm, or a pretrained tagger's linear "
                             "probe (vgg-probe, musicnn-probe: --option source=MSD|MTT, layer=..., C=...) "
                             "or fine-tuned last block (vgg-finetune, musicnn-finetune; chapter 10)")
    parser.add_argument("--profile", choices=PROFILE_NAMES, default="quick",
                        help=f"quick: {PROFILES['quick'].train.epochs} epochs (CI); full: up to "
                             f"{PROFILES['full'].train.epochs} epochs (default quick)")
    parser.add_argument("--out", required=True, metavar="RUN_DIR", help="run folder to write")
    parser.add_argument("--epochs", type=int, metavar="N", help="override the profile's epochs (deep models)")
    parser.add_argument("--seed", type=int, default=0, metavar="S", help="random seed (default 0)")
    recipe = PROFILES["full"].train
    parser.add_argument("--batch-size", type=int, metavar="N",
                        help=f"batch size (default the profile's, {recipe.batch_size}); the learning "
                             f"rate scales with it, {recipe.learning_rate:g} x N/{recipe.batch_size} "
                             "(linear scaling rule), unless --lr is given")
    parser.add_argument("--lr", type=float, metavar="LR",
                        help=f"learning rate of Adam (default {recipe.learning_rate:g}, scaled with "
                             "--batch-size)")
    parser.add_argument("--precision", choices=PRECISIONS,
                        help="float32 (default) or mixed: bfloat16 compute with float32 variables "
                             "(float16 on GPUs without bfloat16), the softmax in float32")
    parser.add_argument("--devices", type=int, metavar="N",
                        help="train data-parallel on N devices (default: every visible one, "
                             "KERAS_BACKEND=jax; one elsewhere); recorded in config.json")
    parser.add_argument("--split", default="random", metavar="|".join(SPLIT_CHOICES),
                        help="track split protocol (default random, stratified by genre; artist: no artist in two "
                             "sets, artists from a tracks.csv or Sturm's artists_titles.txt beside "
                             "the genre folders)")
    parser.add_argument("--val-fraction", type=_fraction, default=0.1, metavar="F",
                        help="fraction of tracks for validation (default 0.1)")
    parser.add_argument("--test-fraction", type=_fraction, default=0.1, metavar="F",
                        help="fraction of tracks for test (default 0.1); 0 puts every track in train/validation")
    parser.add_argument("--option", action="append", default=[], metavar="KEY=VALUE",
                        help="model option, e.g. kernel_size=5, rnn=lstm, bidirectional=false, "
                             "C=10 (logreg/svm), C=[0.01,0.1,1,10] (logreg and the probes: one chosen by "
                             "5-fold CV on the training tracks), gamma=0.01 (svm) (repeatable; VALUE is "
                             "read as JSON when it parses)")
    parser.add_argument("--n-mfcc", type=int, choices=N_MFCC_CHOICES, default=None,
                        help="MFCCs per frame of the models that read them (rnn; logreg and svm, in "
                             f"their statistics): {' or '.join(map(str, N_MFCC_CHOICES))}, the study's "
                             f"two (default {FeatureConfig().n_mfcc}); recorded with the run, so "
                             "evaluate and predict read the same")
    parser.add_argument("--augment", default=None, metavar="LIST",
                        help="augment the training stream of a deep model: comma-separated names of "
                             "crop, gain, freq_mask, time_mask, mixup, noise, pitch, stretch, or "
                             "'default' (chapter 8's combination); recorded in config.json "
                             "(default: none, the study's recipe)")
    parser.add_argument("--aggregation", choices=AGGREGATION_METHODS, default=AGGREGATION_METHODS[0],
                        help="how the run's track-level metrics turn a track's segments into its "
                             "genre: vote (the study's), mean (highest mean probability) or geometric "
                             "(highest mean log-probability; for logreg and the probes, the genre of the "
                             "track's mean feature row); recorded in config.json (default vote)")
    add_scheduler_argument(parser)
    parser.add_argument("--overwrite", action="store_true",
                        help="replace a finished run in RUN_DIR (without it, train refuses to)")
    parser.add_argument("--quiet", action="store_true", help="no progress output")
    parser.set_defaults(func=run_train, outputs=[("--out", "out", FOLDER)])


def parse_options(items: list[str]) -> dict[str, Any]:
    """``["kernel_size=5", "rnn=lstm"]`` -> ``{"kernel_size": 5, "rnn": "lstm"}``.
    """
    options: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UserError(f"--option needs KEY=VALUE, got {item!r}")
        try:
            options[key.strip()] = json.loads(value)
        except json.JSONDecodeError:
            options[key.strip()] = value
    return options


def run_train(args: argparse.Namespace) -> int:
    """Run ``genrelib train``; prints a summary, returns 0."""
    from genrelib.pipeline import Hardware, RunSpec

    try:  # every setting refused before any data is read
        _refuse_training_flags(args)
        spec = RunSpec(model=args.model, options=parse_options(args.option), profile=args.profile,
                       epochs=args.epochs, learning_rate=args.lr, split=args.split, seed=args.seed,
                       valid_fraction=args.val_fraction, test_fraction=args.test_fraction,
                       augment=args.augment, aggregation=args.aggregation,
                       features=_features_with_mfccs(args.model, args.n_mfcc))
        hardware = Hardware(batch_size=args.batch_size, precision=args.precision,
                            devices=args.devices, scheduler=args.scheduler)
    except ValueError as error:
        raise UserError(_as_flags(str(error))) from None
    data = args.data
    if data == "synthetic":
        from genrelib.datasets import resolve_data_dir

        data = resolve_data_dir("", profile=args.profile, seed=args.seed)
    elif not os.path.isdir(data):
        raise UserError(f"DATA folder {data!r} does not exist (give a dataset folder or 'synthetic')")
    from genrelib.commands.console import training_verbosity
    from genrelib.pipeline import UntrainedGenreWarning, describe_run, train_run

    verbose = training_verbosity(args.quiet)
    with warnings.catch_warnings():  # said before the features and epochs, and again in the summary
        warnings.simplefilter("always", UntrainedGenreWarning)
        result = train_run(data, spec, out_dir=args.out, hardware=hardware, overwrite=args.overwrite,
                           verbose=verbose)
    print(describe_run(result))
    return 0


def _refuse_training_flags(args: argparse.Namespace) -> None:
    """UserError when a flag of epoch training (``--epochs``, ``--lr``, ``--batch-size``,
    ``--precision``, ``--devices``) is given for a model fitted once by scikit-learn (logreg,
    svm, the probes): it would be recorded in config.json and have no effect."""
    from genrelib.models.kinds import is_classical

    if not is_classical(args.model):
        return
    given = [flag for flag, value in (("--epochs", args.epochs), ("--lr", args.lr), ("--batch-size", args.batch_size),
                                      ("--precision", args.precision), ("--devices", args.devices))
             if value is not None]
    if given:
        raise UserError(f"{', '.join(given)}: no effect on --model {args.model}, which scikit-learn fits once "
                        "(no epochs, batches or devices); leave it out, or train a deep model")


def _features_with_mfccs(model: str, n_mfcc: int | None) -> FeatureConfig | None:
    """The features of ``model`` with ``n_mfcc`` MFCCs (None: the model's default); UserError
    for a model that reads no MFCCs (log-mel, a tagger's input), where the flag would do nothing."""
    from genrelib.models.kinds import default_feature_config, feature_kind

    if n_mfcc is None:
        return None
    reads = feature_kind(model)
    if reads not in ("mfcc", "stats"):
        what = "log-mel spectrograms" if reads == "mel" else "a pretrained tagger's input"
        raise UserError(f"--n-mfcc: no effect on --model {model}, which reads {what}, not MFCCs; "
                        "leave it out, or train rnn, logreg or svm")
    return default_feature_config(model, n_mfcc=n_mfcc)


#: RunSpec/Hardware field names and the flags that set them.
_FLAGS = {"option ": "--option ", "epochs ": "--epochs ", "learning_rate ": "--lr ",
          "valid_fraction": "--val-fraction", "test_fraction": "--test-fraction",
          "batch_size ": "--batch-size ", "devices ": "--devices ", "precision ": "--precision ",
          "augment: ": "--augment: ", "model ": "--model ", "split: ": "--split: ", "seed ": "--seed "}


def _as_flags(message: str) -> str:
    """A RunSpec/Hardware error in the words of the command line ("--option kernel_size: ...",
    "--val-fraction + --test-fraction must leave ...")."""
    for field, flag in _FLAGS.items():
        if message.startswith(field):
            message = flag + message[len(field):]
            break
    return message.replace("+ test_fraction", "+ --test-fraction")
