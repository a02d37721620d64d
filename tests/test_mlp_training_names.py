"""The training experiment runs on a fresh instance of the student's class, where Keras numbers
the layers anew (`dropout_1` in the fresh one is `dropout` in the model the report pictures).
The finding must name the layer the student sees. Runs Keras in a subprocess: the test process
itself never runs a TensorFlow op."""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from grader.runner import REPO_ROOT

SCRIPT = textwrap.dedent('''
    import json, os
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    import numpy as np
    import keras
    from keras import layers
    from exercises.mlp_three_ways import _training_experiment

    class MLP(keras.Model):
        def __init__(self):
            super().__init__()
            self.hidden = layers.Dense(8, activation="relu")
            self.keep = layers.Dropout(0.5)
            self.drop = layers.Dropout(0.5)
            self.out = layers.Dense(3, activation="softmax")
        def call(self, x, training=False):
            return self.out(self.drop(self.keep(self.hidden(x), training=training),
                                      training=False))

    x = np.random.default_rng(0).normal(size=(4, 16)).astype("float32")
    shown = MLP()
    shown(x)
    t = _training_experiment(MLP, x, built=shown)
    print(json.dumps({"shown": [l.name for l in (shown.keep, shown.drop)],
                      "rows": [(r["name"], r["fit_mode"]) for r in t["layers"]]}))
''')


def test_training_experiment_names_the_layers_of_the_pictured_instance():
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                         cwd=REPO_ROOT, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    got = json.loads(out.stdout.strip().splitlines()[-1])
    keep, drop = got["shown"]
    # the fresh instance's own names would be dropout_2/dropout_3: the picture's are asked for
    assert got["rows"] == [[keep, [True]], [drop, [False]]]
