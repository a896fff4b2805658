"""A user scorer that writes every sequence it is asked to score, one per line, to the file named by
$MIT_TEST_SCORED (``--model tests.recording_scorer:at_content``): what a run makes a model score."""

import os

import numpy as np


class RecordsSequences:
    name, kind = "records-sequences", "score"
    fingerprint = "records-sequences/v1"

    def score(self, sequences):
        with open(os.environ["MIT_TEST_SCORED"], "a") as handle:
            handle.writelines(f"{s}\n" for s in sequences)
        return np.array([float(sum(base in "AT" for base in s)) for s in sequences])


at_content = RecordsSequences()
