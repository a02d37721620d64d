"""The activation a Dense effectively has, read from a forward pass: activation layers after a
linear Dense, and functions applied between layer calls (keras.ops.relu in a PyTorch-style
call()). Runs Keras in a subprocess: the test process itself never runs a TensorFlow op."""
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
    from keras import layers, ops
    from grader.introspect import activation_report, dense_chain

    x = np.random.default_rng(0).normal(size=(4, 16)).astype("float32")

    def chain(model):
        model(x)
        report = activation_report(model, x)
        return [(d["units"], d["activation"]) for d in dense_chain(model, report.folded,
                                                                     report.dense_like)]

    class MyDense(layers.Layer):  # a hand-written Dense: read as the Dense it computes
        def __init__(self, units, activation=None, bias=True, first=False):
            super().__init__()
            self.units, self.act, self.bias, self.first = units, activation, bias, first
        def build(self, shape):
            self.k = self.add_weight(shape=(shape[-1], self.units), initializer="glorot_uniform")
            if self.bias:
                self.b = self.add_weight(shape=(self.units,), initializer="random_normal")
        def call(self, t):
            f = keras.activations.get(self.act)
            if self.first:  # the activation before the product: no Dense
                return ops.matmul(f(t), self.k) + self.b
            y = ops.matmul(t, self.k)
            return f(y + self.b if self.bias else y)

    class Ops(keras.Model):
        def __init__(self):
            super().__init__()
            self.a, self.b, self.c = layers.Dense(8), layers.Dense(6), layers.Dense(3)
        def call(self, t):
            return ops.softmax(self.c(ops.tanh(self.b(ops.relu(self.a(t))))))

    class Linear(keras.Model):
        def __init__(self):
            super().__init__()
            self.a, self.b = layers.Dense(8), layers.Dense(3)
        def call(self, t):
            return self.b(self.a(t))

    class Scaled(keras.Model):  # not an activation: 2 * relu(h)
        def __init__(self):
            super().__init__()
            self.a, self.b = layers.Dense(8), layers.Dense(3)
        def call(self, t):
            return self.b(2.0 * ops.relu(self.a(t)))

    class Branching(keras.Model):  # the raw output is read too: it is not "only relu"
        def __init__(self):
            super().__init__()
            self.a, self.b, self.c = layers.Dense(8), layers.Dense(3), layers.Dense(3)
        def call(self, t):
            h = self.a(t)
            return self.b(ops.relu(h)) + self.c(h)

    class DropoutFirst(keras.Model):  # Dropout (identity at inference) between Dense and relu
        def __init__(self):
            super().__init__()
            self.a, self.d, self.b = layers.Dense(8), layers.Dropout(0.5), layers.Dense(3)
        def call(self, t, training=False):
            return self.b(ops.relu(self.d(self.a(t), training=training)))

    class Relu6(keras.Model):  # relu6 is told from relu by the scaled second pass
        def __init__(self):
            super().__init__()
            self.a, self.b = layers.Dense(8), layers.Dense(3)
        def call(self, t):
            return self.b(ops.relu6(self.a(t)))

    def seq(*mid):
        return keras.Sequential([keras.Input((16,)), layers.Dense(8), *mid, layers.Dense(3)])

    inp = keras.Input((16,))
    functional = keras.Model(inp, layers.Dense(3)(keras.activations.sigmoid(layers.Dense(8)(inp))))
    extra = {"dropout_first": chain(DropoutFirst()), "relu6": chain(Relu6()),
             "lambda": chain(seq(layers.Lambda(lambda t: ops.relu(t)))),
             "leaky_layer": chain(seq(layers.ReLU(negative_slope=0.2))),
             "softmax_axis0": chain(seq(layers.Softmax(axis=0))),
             "dense_lambda": chain(keras.Sequential([keras.Input((16,)),
                                   layers.Dense(8, activation=lambda t: ops.relu(t)), layers.Dense(3)])),
             "own_dense": chain(keras.Sequential([keras.Input((16,)), MyDense(8, "tanh"),
                                                  layers.Dense(3)])),
             "own_dense_no_bias": chain(keras.Sequential([keras.Input((16,)), MyDense(8, "relu", bias=False),
                                                          MyDense(3, "softmax")])),
             "own_dense_then_relu": chain(seq(MyDense(8), layers.ReLU())),
             "own_activation_first": chain(seq(MyDense(8, "relu", first=True)))}
    sequential = keras.Sequential([keras.Input((16,)), layers.Dense(8), layers.ReLU(), layers.Dense(3),
                                   layers.Activation("softmax")])
    print(json.dumps({"ops": chain(Ops()), "linear": chain(Linear()), "scaled": chain(Scaled()),
                      "branching": chain(Branching()), "functional": chain(functional),
                      "sequential": chain(sequential), **extra}))
''')


def test_activations_are_credited_whatever_applies_them():
    proc = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                          cwd=REPO_ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    got = {k: [tuple(r) for r in v] for k, v in json.loads(proc.stdout.splitlines()[-1]).items()}
    assert got["ops"] == [(8, "relu"), (6, "tanh"), (3, "softmax")]
    assert got["linear"] == [(8, "linear"), (3, "linear")]
    assert got["scaled"] == [(8, "linear"), (3, "linear")]
    assert got["branching"][0] == (8, "linear")
    assert got["functional"] == [(8, "sigmoid"), (3, "linear")]
    assert got["sequential"] == [(8, "relu"), (3, "softmax")]
    assert got["dropout_first"] == [(8, "relu"), (3, "linear")]
    assert got["relu6"] == [(8, "relu6"), (3, "linear")]
    assert got["lambda"] == [(8, "relu"), (3, "linear")]
    assert got["leaky_layer"] == [(8, "leaky_relu"), (3, "linear")]
    assert got["softmax_axis0"] == [(8, "linear"), (3, "linear")]  # not a softmax over classes
    assert got["dense_lambda"] == [(8, "relu"), (3, "linear")]
    # a layer class of the student's own computing activation(x @ kernel + bias), read as the
    # Dense it computes; relu(x) @ kernel + bias is none (the inputs have negatives)
    assert got["own_dense"] == [(8, "tanh"), (3, "linear")]
    assert got["own_dense_no_bias"] == [(8, "relu"), (3, "softmax")]
    assert got["own_dense_then_relu"] == [(8, "linear"), (8, "relu"), (3, "linear")]
    assert got["own_activation_first"] == [(8, "linear"), (3, "linear")]


ROUNDING_SCRIPT = textwrap.dedent('''
    import json, os
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    import numpy as np
    import keras
    from keras import layers, ops
    from grader.introspect import activation_report

    class MyDense(layers.Layer):
        def __init__(self, units, activation=None):
            super().__init__()
            self.units, self.act = units, keras.activations.get(activation)
        def build(self, shape):
            self.k = self.add_weight(shape=(shape[-1], self.units), initializer="glorot_uniform")
            self.b = self.add_weight(shape=(self.units,), initializer="zeros")
        def call(self, t):
            return self.act(ops.matmul(t, self.k) + self.b)

    read = {"relu": 0, "linear": 0}
    for act in read:
        model = keras.Sequential([keras.Input((784,)), MyDense(256, act), layers.Dense(1)])
        for seed in range(150):
            rng = np.random.default_rng(seed)
            lim = np.sqrt(6 / (784 + 256))
            model.layers[0].set_weights([rng.uniform(-lim, lim, (784, 256)).astype("float32"),
                                         np.zeros(256, "float32")])
            report = activation_report(model, rng.random((2, 784), dtype=np.float32))
            like = report.dense_like.get(id(model.layers[0]))
            read[act] += like is not None and like["activation"] == act
    print(json.dumps(read))
''')


def test_a_hand_written_dense_is_read_whatever_the_rounding_of_its_sum():
    """A 784-wide product near 0 is no more exact than its terms: Keras' float32 sum and the
    grader's float64 one differ there by ~1e-5 of the terms' size, which a tolerance relative
    to the result failed in ~2% of honest layers (named `tampering` when the child and the
    clean process fell on different sides). Every one of 300 layers must be read."""
    proc = subprocess.run([sys.executable, "-c", ROUNDING_SCRIPT], capture_output=True, text=True,
                          cwd=REPO_ROOT, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert json.loads(proc.stdout.splitlines()[-1]) == {"relu": 150, "linear": 150}
