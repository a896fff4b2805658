"""PyPI ``sigmap`` (a σ70 promoter classifier) as an MIT scorer, for the scoring-hygiene test: its ``predict``
fits a MinMaxScaler on the features of each input file, so a sequence's score depends on the batch it is in."""

from __future__ import annotations

import os
import tempfile

import numpy as np


class SigmapScorer:
    name, kind = "sigmap", "score"

    def score(self, sequences):
        from sigmap import SigmaFactor

        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "batch.fasta")
            with open(path, "w") as handle:
                handle.writelines(f">s{i}\n{s}\n" for i, s in enumerate(sequences))
            return SigmaFactor().predict(path)["Score"].to_numpy(dtype=np.float64)


sigmap_scorer = SigmapScorer()
