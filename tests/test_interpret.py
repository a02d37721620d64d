"""grader.interpret: the clean process reads a student's model class or factory from its source
instead of running it. What it reads must behave as the code does when Python runs it (a
difference would name an honest student's pass `tampering`), and what it cannot read it must
refuse, never guess."""
from __future__ import annotations

import inspect
import textwrap
from pathlib import Path

import numpy as np
import pytest

from grader.interpret import Interpreter, Source, Uninterpretable, factory, model_class

ZOO = Path(__file__).parent / "zoo"

LESSON_MLP = '''
import numpy as np
import keras
from keras import layers

def make_sequential():
    return keras.Sequential(
        [keras.Input(shape=(784,)), layers.Dense(256, activation="relu"),
         layers.Dense(64, activation="relu"), layers.Dense(10, activation="softmax")],
        name="mlp_sequential")

class MLP(keras.Model):
    """The lesson's: a list of hidden layers and a loop."""
    def __init__(self, hidden_units=(256, 64), num_classes=10, **kwargs):
        super().__init__(**kwargs)
        self.hidden = [layers.Dense(u, activation="relu") for u in hidden_units]
        self.head = layers.Dense(num_classes, activation="softmax")

    def call(self, inputs, training=False):
        x = inputs
        for layer in self.hidden:
            x = layer(x)
        return self.head(x)
'''


def _run(code: str) -> dict:
    """The source as Python runs it: what the child sees."""
    namespace: dict = {"__name__": "submission"}
    exec(compile(code, "<student>", "exec"), namespace)  # noqa: S102 - the tests' own sources
    return namespace


def _read(code: str, name: str = "MLP") -> type:
    return model_class(Source([("<student>", textwrap.dedent(code))]), name, "submission")


def _same_function(real, read, x) -> None:
    """Same weights in the same order, and the same outputs once the weights are the same."""
    real(x), read(x)
    assert [tuple(w.shape) for w in real.weights] == [tuple(w.shape) for w in read.weights]
    read.set_weights(real.get_weights())
    np.testing.assert_array_equal(np.asarray(real(x)), np.asarray(read(x)))


def test_the_lessons_class_read_from_source_is_the_same_function():
    x = np.random.default_rng(0).random((4, 784), dtype=np.float32)
    cls = _read(LESSON_MLP)
    real_cls = _run(LESSON_MLP)["MLP"]
    model = cls()
    _same_function(real_cls(), model, x)
    assert model.count_params() == 218_058  # 200,960 + 16,448 + 650
    # Keras decides from these signatures what fit() passes and what get_config() records
    assert inspect.signature(cls.call) == inspect.signature(real_cls.call)
    assert inspect.signature(cls.__init__) == inspect.signature(real_cls.__init__)
    config = lambda m: {k: v for k, v in m.get_config().items() if k != "name"}  # noqa: E731
    assert config(cls(num_classes=3)) == config(real_cls(num_classes=3))  # names are numbered
    assert cls.__name__ == "MLP" and cls.__module__ == "submission"


def test_the_lessons_factory_read_from_source_builds_the_same_sequential():
    source = Source([("<student>", LESSON_MLP)])
    made = factory(source, "make_sequential", "submission")()
    real = _run(LESSON_MLP)["make_sequential"]()
    assert made.name == real.name == "mlp_sequential"
    assert [type(l).__name__ for l in made.layers] == [type(l).__name__ for l in real.layers]
    assert made.count_params() == real.count_params() == 218_058


def test_a_factory_that_adds_layers_one_by_one():
    code = '''
    import tensorflow as tf
    def make_sequential(units=256):
        model = tf.keras.Sequential(name="stack")
        model.add(tf.keras.Input(shape=(784,)))
        model.add(tf.keras.layers.Dense(units, activation=tf.keras.activations.relu))
        model.add(tf.keras.layers.Dense(10, activation="softmax"))
        return model
    '''
    made = factory(Source([("<s>", textwrap.dedent(code))]), "make_sequential", "submission")()
    assert made.count_params() == 784 * 256 + 256 + 256 * 10 + 10


def test_a_factory_of_a_functional_model_with_merge_functions_reads_as_python_runs_it():
    code = textwrap.dedent('''
    import keras
    from keras import layers
    def two_headed():
        img = keras.Input(shape=(784,), name="pixels")
        meta = keras.Input(shape=(8,), name="metadata")
        x = layers.Dense(64, activation="relu")(img)
        m = layers.Dense(16, activation="relu")(meta)
        merged = layers.concatenate([x, m], axis=-1)
        both = layers.add([layers.Dense(4)(merged), layers.Dense(4)(merged)])
        return keras.Model(inputs=[img, meta], outputs={"digit": layers.Dense(10)(merged),
                                                        "both": both}, name="th")
    ''')
    made = factory(Source([("<s>", code)]), "two_headed", "submission")()
    real = _run(code)["two_headed"]()
    assert made.name == real.name == "th"
    assert [type(l).__name__ for l in made.layers] == [type(l).__name__ for l in real.layers]
    assert made.count_params() == real.count_params() == 784 * 64 + 64 + 8 * 16 + 16 + \
        2 * (80 * 4 + 4) + 80 * 10 + 10
    x = [np.random.default_rng(1).random((2, 784), dtype=np.float32),
         np.random.default_rng(2).random((2, 8), dtype=np.float32)]
    made.set_weights(real.get_weights())
    for key in ("digit", "both"):
        np.testing.assert_array_equal(np.asarray(made(x)[key]), np.asarray(real(x)[key]))


@pytest.mark.parametrize("body, why", [
    # a merge function with an argument that is not plain, a Model() with a keyword the
    # grader does not read
    ("x = keras.Input(shape=(4,))\n    return keras.Model(x, layers.concatenate([x, x], axis=x))",
     "concatenate\\(\\) with values"),
    ("x = keras.Input(shape=(4,))\n    return keras.Model(x, x, trainable=False)",
     "keras.Model\\(\\) with arguments"),
])
def test_what_a_factory_may_not_pass_keras_it_refuses(body, why):
    code = f"import keras\nfrom keras import layers\ndef make():\n    {body}\n"
    with pytest.raises(Uninterpretable, match=why):
        factory(Source([("<s>", code)]), "make", "submission")()


def test_functions_of_the_source_a_class_or_a_factory_calls_read_as_python_runs_them():
    code = textwrap.dedent('''
    import keras
    from keras import layers
    HIDDEN = (256, 64)
    def dense(units, activation="relu"):
        return layers.Dense(units, activation=activation)
    def stack(units_list):
        return [dense(u) for u in units_list]
    def block(x, units):
        return dense(units)(x)
    class MLP(keras.Model):
        def __init__(self, hidden_units=HIDDEN, **kwargs):
            super().__init__(**kwargs)
            self.hidden = stack(hidden_units)
            self.head = dense(10, activation="softmax")
        def call(self, inputs):
            x = inputs
            for layer in self.hidden:
                x = layer(x)
            return self.head(x)
    def make_functional():
        inputs = keras.Input(shape=(784,))
        x = inputs
        for u in HIDDEN:
            x = block(x, u)
        return keras.Model(inputs, layers.Dense(10, activation="softmax")(x))
    ''')
    x = np.random.default_rng(0).random((4, 784), dtype=np.float32)
    _same_function(_run(code)["MLP"](), _read(code)(), x)
    made = factory(Source([("<s>", code)]), "make_functional", "submission")()
    real = _run(code)["make_functional"]()
    assert made.count_params() == real.count_params() == 218_058  # 200,960 + 16,448 + 650
    made.set_weights(real.get_weights())
    np.testing.assert_array_equal(np.asarray(made(x)), np.asarray(real(x)))


def test_a_function_of_the_source_calling_itself_forever_is_refused_not_run():
    code = "import keras\ndef f(n):\n    return f(n + 1)\ndef make():\n    return f(0)\n"
    with pytest.raises(Uninterpretable, match="too deeply"):
        factory(Source([("<s>", code)]), "make", "submission")()


@pytest.mark.parametrize("call_body, init_extra", [
    # indexing, a dropout with the flag passed on, nested calls
    ("x = self.hidden[0](inputs)\n        x = self.drop(x, training=training)\n"
     "        return self.head(self.hidden[1](x))", "self.drop = layers.Dropout(0.5)"),
    # the flag written out: the dropout never runs in training mode
    ("x = self.hidden[0](inputs)\n        x = self.drop(x, training=False)\n"
     "        return self.head(self.hidden[1](x))", "self.drop = layers.Dropout(0.5)"),
])
def test_variants_of_call_read_the_same_as_python_runs_them(call_body, init_extra):
    code = f'''
import keras
from keras import layers
class MLP(keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.hidden = [layers.Dense(256, activation="relu"), layers.Dense(64, activation="relu")]
        {init_extra}
        self.head = layers.Dense(10, activation="softmax")

    def call(self, inputs, training=None):
        {call_body}
'''
    x = np.random.default_rng(1).random((4, 784), dtype=np.float32)
    real, read = _run(code)["MLP"](), _read(code)()
    _same_function(real, read, x)
    # in training mode the dropout runs in both, or in neither
    runs = [not np.array_equal(np.asarray(m(x, training=True)), np.asarray(m(x)))
            for m in (real, read)]
    assert runs[0] == runs[1] == ("False" not in call_body)


def test_layers_created_in_call_behave_as_keras_makes_them_behave():
    code = '''
import keras
from keras import layers
class MLP(keras.Model):
    def call(self, inputs):
        x = layers.Dense(256, activation="relu")(inputs)
        return layers.Dense(10, activation="softmax")(x)
'''
    x = np.zeros((2, 784), dtype=np.float32)
    real, read = _run(code)["MLP"](), _read(code)()
    real(x), read(x)
    assert len(real.weights) == len(read.weights)


@pytest.mark.parametrize("code, why", [
    ("class MLP(keras.Model):\n    def call(self, x):\n        return self.d(x)\n"
     "    def call(self, x):\n        return x\n", "the method call\\(\\) twice"),
    ("class MLP(keras.Model):\n    units = 3\n    def call(self, x):\n        return x\n",
     "a statement that is not a method"),
    ("class MLP(keras.Model):\n    def call(self, x):\n        return x\n"
     "    def from_config(cls, config):\n        return cls(**config)\n", "without @classmethod"),
    ("class MLP(keras.Model):\n    def call(self, x):\n        return x\n"
     "    def get_config(self):\n        return {'f': open('/etc/passwd')}\n", "open"),
    ("class MLP(keras.Model):\n    def call(self, x):\n        return x\n"
     "    def get_config(self):\n        return {'n': len(self)}\n", "len"),
    ("class MLP(keras.Model):\n    def call(self, x):\n        if x:\n            return x\n"
     "        return x\n", "condition on a value that is not plain"),
    ("class MLP(keras.Model):\n    def call(self, x):\n        while x is None:\n"
     "            return x\n        return x\n", "While"),
    ("class MLP(keras.Model):\n    def call(self, x):\n        return x if x is x else x\n",
     "`is` of something else than None"),
    ("class MLP(keras.Model):\n    def call(self, x):\n        return x if x > 0 else x\n",
     "comparison of values that are not plain"),
    ("class MLP(keras.Model):\n    def call(self, x):\n        return keras.ops.cond(x, x, x)\n",
     "not among"),
    # a function of the source bound twice: which one runs is decided at run time
    ("def helper(x):\n    return x\nhelper = print\nclass MLP(keras.Model):\n"
     "    def call(self, x):\n        return helper(x)\n", "`helper`, which is not"),
    ("class MLP(keras.Model):\n    def __init__(self):\n        super().__init__()\n"
     "        self.d = layers.Dense(10, activation=tf.math.log)\n    def call(self, x):\n"
     "        return self.d(x)\n", "not from keras"),
    ("class MLP(keras.Model):\n    def __init__(self):\n        super().__init__()\n"
     "        self.d = layers.Lambda(lambda t: t)\n    def call(self, x):\n"
     "        return self.d(x)\n", "not among"),
    ("class MLP(keras.Model):\n    def call(self, x):\n        return x\nMLP = 3\n",
     "not defined once"),
    ("layers = None\nclass MLP(keras.Model):\n    def __init__(self):\n        super().__init__()\n"
     "        self.d = layers.Dense(3)\n    def call(self, x):\n        return self.d(x)\n",
     "bound once"),
    ("@keras.saving.register_keras_serializable(package=PKG)\nclass MLP(keras.Model):\n"
     "    def call(self, x):\n        return x\n", "other than keras.saving.register"),
    ("@keras.utils.custom_object_scope\nclass MLP(keras.Model):\n"
     "    def call(self, x):\n        return x\n", "other than keras.saving.register"),
    ("class MLP(keras.layers.Dense):\n    def call(self, x):\n        return x\n",
     "not among|does not derive"),
    ("class MLP(MLP):\n    def call(self, x):\n        return x\n", "needs itself"),
    ("class Block(layers.Layer):\n    def compute_mask(self, x, mask=None):\n        return None\n"
     "    def call(self, x):\n        return x\n"
     "class MLP(keras.Model):\n    def __init__(self):\n        super().__init__()\n"
     "        self.b = Block()\n    def call(self, x):\n        return self.b(x)\n",
     "class Block defines the method compute_mask\\(\\), which Keras has"),
    ("class MLP(keras.Model):\n    def train_step(self, data):\n        return {}\n"
     "    def call(self, x):\n        return x\n", "train_step\\(\\), which Keras has"),
    ("class MLP(keras.Model):\n    def __call__(self, x):\n        return x\n"
     "    def call(self, x):\n        return x\n", "__call__\\(\\), which Keras has"),
    ("class MLP(keras.Model):\n    def twice(self, x):\n        return self.twice(x)\n"
     "    def call(self, x):\n        return self.twice(x)\n", "too deeply"),
    ("class MLP(keras.Model):\n    def __init__(self):\n        super().__init__()\n"
     "        self.d = layers.Dense(3)\n    def build(self, shape):\n"
     "        super().build(shape)\n        return 1\n"
     "    def call(self, x):\n        return self.d(x)\n", "build\\(\\) returns a value"),
    ("class MLP(keras.Model):\n    def __init__(self):\n        super().__init__()\n"
     "        self.d = layers.Dense(3)\n        self.d.build(self.d)\n"
     "    def call(self, x):\n        return self.d(x)\n", "build\\(\\) with a value"),
    ("class MLP(keras.Model):\n    def __init__(self):\n        super().__init__()\n"
     "        self.d = layers.Dense(3)\n    def call(self, x):\n"
     "        return self.d(x) * self.d.kernel_initializer\n", "attribute `kernel_initializer`"),
    ("class MLP(keras.Model):\n    def __init__(self):\n        super().__init__()\n"
     "        super().build((None, 4))\n    def call(self, x):\n        return x\n",
     "outside build"),
    ("class MLP(keras.Model):\n    def __init__(self):\n        super().__init__()\n"
     "        self.d = layers.Dense(10, activation=keras.activations.get({'a': 1}))\n"
     "    def call(self, x):\n        return self.d(x)\n", "not a Keras activation or its name"),
    ("class MLP(keras.Model):\n    def __init__(self):\n        super().__init__()\n"
     "        self.d = layers.Dense(2 ** 100)\n    def call(self, x):\n        return x\n",
     "power too large"),
    ("class MLP(keras.Model):\n    def __init__(self):\n        super().__init__()\n"
     "        self.d = layers.Dense(3, name=f'{self!r}')\n    def call(self, x):\n"
     "        return x\n", "f-string format"),
    ("class MLP(keras.Model):\n    def __init__(self):\n        super().__init__()\n"
     "        self.d = layers.Dense(3, name='a' * 3)\n    def call(self, x):\n"
     "        return x\n", "operation the grader does not read"),
    ("class MLP(keras.Model):\n    def __init__(self):\n        super().__init__()\n"
     "        self.d = layers.Dense(10, activation=keras.activations.deserialize('relu'))\n"
     "    def call(self, x):\n        return self.d(x)\n", "not among"),
    ("class MLP(keras.Model):\n    def __init__(self):\n        self.d = layers.Dense(3)\n"
     "        super().__init__()\n    def call(self, x):\n        return self.d(x)\n",
     "does not call super"),
])
def test_what_it_cannot_read_it_refuses(code, why):
    header = "import keras\nimport tensorflow as tf\nfrom keras import layers\n"
    with pytest.raises(Uninterpretable, match=why):
        model = _read(header + code)()
        model(np.zeros((1, 4), dtype=np.float32))
        model.get_config()


def test_a_loop_too_long_to_read_is_refused_not_run():
    code = '''
import keras
from keras import layers
class MLP(keras.Model):
    def __init__(self):
        super().__init__()
        self.d = [layers.Dense(1) for _ in range(1000000000)]
    def call(self, x):
        return x
'''
    with pytest.raises(Uninterpretable, match="range too long"):
        _read(code)()


def test_a_refusal_is_a_base_exception_no_collector_swallows():
    """A collector's `except Exception` records a failed call; a refusal must get past it to
    the clean process, which then grades the exercise from the child's report."""
    assert not issubclass(Uninterpretable, Exception)


def test_the_interpreter_brings_a_model_of_the_class_to_the_exported_state():
    """A model of the student's class the child held (`sub_model`): rebuilt from the source,
    then given what the export recorded (grader.export._state): weights, flags, policies."""
    from grader.export import _state
    real = _run(LESSON_MLP)["MLP"]()
    real(np.zeros((1, 784), dtype=np.float32))
    real.layers[0].trainable = False  # frozen after it was made: no source line says so
    arrays: dict = {}
    entry = dict(_state(real, "o0", arrays, {"left": 2**30}), kind="model",
                 bases=["MLP", "Model"])
    interpreter = Interpreter([("<s>", LESSON_MLP + "sub_model = MLP()\n")], "submission", arrays)
    model = interpreter.get("sub_model", entry)
    assert [w.shape for w in model.weights] == [w.shape for w in real.weights]
    assert all(np.array_equal(a, b) for a, b in zip(model.get_weights(), real.get_weights()))
    assert [v.trainable for v in model.weights] == [False, False] + [True] * 4
    assert not model.layers[0].trainable
    # `sub_model.build((None, 784))`: built, and in Keras 3.15 without a single weight
    unbuilt = interpreter.get("other", dict(entry, weight_shapes=[], trainable=[],
                                            input_shape=[None, 784], trainable_layers=[True] * 4))
    assert unbuilt.built and unbuilt.weights == []
    with pytest.raises(Uninterpretable, match="other weights"):
        interpreter.get("odd", dict(entry, weight_shapes=[[784, 128], [128]]))
    with pytest.raises(Uninterpretable, match="too large"):
        interpreter.get("large", dict(entry, weights_key=None))
    mixed = interpreter.get("mixed", dict(entry, policies=["mixed_float16"] * 4))
    assert mixed.layers[0].dtype_policy.name == "mixed_float16"  # made as the child made it
    with pytest.raises(Uninterpretable, match="other dtype policies"):
        interpreter.get("half", dict(entry, policies=["mixed_float16"] + ["float32"] * 3))
    with pytest.raises(Uninterpretable, match="another name"):
        interpreter.get("Net", {"kind": "class", "bases": ["MLP", "Model"]})
    assert interpreter.get("sub", dict(entry, alias_of="sub_model")) is model  # `sub = sub_model`


def test_unpacking_zip_constants_and_keras_ops_read_as_python_runs_them():
    code = '''
import keras
import tensorflow as tf
from keras import layers
HIDDEN = (256, 64)
class MLP(keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.head = layers.Dense(10, activation="softmax")  # made first: its weights come first
        self.dense = [layers.Dense(u) for u in HIDDEN]
        self.drop, self.norm = layers.Dropout(0.2), layers.LayerNormalization()

    def call(self, inputs, training=None):
        x = self.norm(inputs)
        for i, (dense, rate) in enumerate(zip(self.dense, (0.0, 0.2))):
            x = keras.ops.relu(dense(x))
            x = tf.nn.relu(x)
        return self.head(self.drop(x, training=training))
'''
    x = np.random.default_rng(4).random((3, 784), dtype=np.float32)
    _same_function(_run(code)["MLP"](), _read(code)(), x)


def _zoo_definitions() -> list[Path]:
    files = []
    for path in sorted(ZOO.rglob("*.py")):
        if "hostile" in path.parts:
            continue
        try:
            text = path.read_text()
        except UnicodeDecodeError:  # the zoo's bad inputs
            continue
        if "class MLP(" in text or "def make_sequential(" in text:
            files.append(path)
    return files


def test_every_zoo_definition_it_reads_is_the_same_function_as_python_runs_it():
    """The zoo's MLP classes and factories, right and wrong: each one it reads must build the
    same weights and compute the same outputs as the file's own, run by Python."""
    import keras

    x = np.random.default_rng(2).random((3, 784), dtype=np.float32)
    read_count = 0
    for path in _zoo_definitions():
        code = path.read_text()
        defs = Source([(str(path), code)]).defs
        try:
            namespace = _run_file(code, path)
        except BaseException:  # noqa: BLE001 - a file whose point is to fail
            continue
        finally:
            keras.config.set_dtype_policy("float32")
        for name, make in (("MLP", lambda s: model_class(s, "MLP", "submission")),
                           ("make_sequential", lambda s: factory(s, "make_sequential", "submission"))):
            if name not in defs or name not in namespace:
                continue
            try:
                read = make(Source([(str(path), code)]))
                try:
                    real = namespace[name]()
                except TypeError:  # a required argument: read, it must fail the same way
                    with pytest.raises(TypeError):
                        read()
                    continue
                model = read()
                if name == "make_sequential":
                    model_out, real_out = model(x), real(x)
                else:
                    real_out, model_out = _both_or_neither(real, model, x)
            except Uninterpretable:
                continue
            if real_out is None:
                continue
            read_count += 1
            assert [tuple(w.shape) for w in real.weights] == \
                [tuple(w.shape) for w in model.weights], path
            model.set_weights(real.get_weights())
            repeatable = [np.array_equal(np.asarray(m(x)), np.asarray(m(x))) for m in (real, model)]
            assert repeatable[0] == repeatable[1], path  # layers made anew in each call
            if not repeatable[0]:
                continue
            np.testing.assert_allclose(np.asarray(model(x)), np.asarray(real(x)), rtol=1e-6,
                                       err_msg=str(path))
    assert read_count >= 40  # most of the zoo's definitions are read, not refused


def _both_or_neither(real, model, x):
    """Both raise, or both return: a class that fails when Python runs it fails read too."""
    try:
        real_out = real(x)
    except Exception as exc:  # noqa: BLE001
        with pytest.raises(type(exc)):
            model(x)
        return None, None
    return real_out, model(x)


def _run_file(code: str, path: Path) -> dict:
    import contextlib
    import io
    namespace: dict = {"__name__": "submission", "__file__": str(path)}
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile(code, str(path), "exec"), namespace)  # noqa: S102 - the zoo's own files
    return namespace


def test_a_list_constant_is_not_read_it_may_have_been_changed_in_place():
    """`HIDDEN = [128, 64]` then `HIDDEN[0] = 256`: the literal is out of date, and a list can
    be changed from anywhere, so only immutable constants are read (a helper found this one:
    read as [128, 64], a correct file was named tampering)."""
    code = '''
import keras
from keras import layers
HIDDEN = [128, 64]
HIDDEN[0] = 256
SIZES = (256, 64)

def make_sequential():
    return keras.Sequential([keras.Input(shape=(784,)), layers.Dense(HIDDEN[0])])

def make_other():
    return keras.Sequential([keras.Input(shape=(784,)), layers.Dense(SIZES[0])])
'''
    source = Source([("<s>", code)])
    with pytest.raises(Uninterpretable, match="HIDDEN"):
        factory(source, "make_sequential", "submission")()
    assert factory(source, "make_other", "submission")().count_params() == 784 * 256 + 256


def test_append_in_init_and_summary_in_a_factory_read_as_python_runs_them():
    code = '''
import keras
from keras import layers

def make_sequential():
    model = keras.Sequential([keras.Input(shape=(784,)), layers.Dense(10)])
    model.summary()
    return model

class MLP(keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.hidden = []
        for units in (256, 64):
            self.hidden.append(layers.Dense(units, activation="relu"))
        self.head = layers.Dense(10, activation="softmax")

    def call(self, x):
        for layer in self.hidden:
            x = layer(x)
        return self.head(x)
'''
    x = np.random.default_rng(5).random((2, 784), dtype=np.float32)
    _same_function(_run(code)["MLP"](), _read(code)(), x)
    made = factory(Source([("<s>", code)]), "make_sequential", "submission")()
    assert made.count_params() == 7850


REGISTERED_MLP = '''
import keras
from keras import layers
from keras.saving import register_keras_serializable

@register_keras_serializable(package="day02")
class MLP(keras.Model):
    def __init__(self, hidden_units, num_classes=10, *, rate=0.0, **kwargs):
        super().__init__(**kwargs)
        self.hidden_units = tuple(hidden_units)
        self.num_classes = num_classes
        self.rate = float(rate)
        self.hidden = [layers.Dense(u, activation="relu") for u in self.hidden_units]
        self.head = layers.Dense(num_classes, activation="softmax")

    def call(self, inputs, *args, **kwargs):
        x = inputs
        for layer in self.hidden:
            x = layer(x)
        return self.head(x)

    def get_config(self):
        config = super().get_config()
        config.update({"hidden_units": list(self.hidden_units), "num_classes": self.num_classes})
        config["rate"] = self.rate
        return {**config, "depth": len(self.hidden_units)}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config.pop("depth", None)
        units = config.pop("hidden_units")
        return cls(units, **config)
'''


def test_get_config_from_config_registration_and_required_arguments_read_as_python_runs_them():
    """What the lesson says a clean round trip needs (`needs class + get_config()`), the
    registration Keras' guide adds, a required argument and *args: the class read from the
    source raises, configures and rebuilds as the student's does."""
    x = np.random.default_rng(6).random((2, 784), dtype=np.float32)
    real_cls, cls = _run(REGISTERED_MLP)["MLP"], _read(REGISTERED_MLP)
    for c in (real_cls, cls):
        with pytest.raises(TypeError, match="hidden_units"):
            c()
    real, read = real_cls((256, 64), name="net"), cls((256, 64), name="net")
    _same_function(real, read, x)
    assert read.get_config() == real.get_config()
    assert read.get_config()["hidden_units"] == [256, 64] and read.get_config()["depth"] == 2
    clone, real_clone = cls.from_config(read.get_config()), real_cls.from_config(real.get_config())
    assert type(clone) is cls and clone.hidden_units == real_clone.hidden_units == (256, 64)
    _same_function(real_clone, clone, x)
    assert inspect.signature(cls.__init__) == inspect.signature(real_cls.__init__)
    assert inspect.signature(cls.call) == inspect.signature(real_cls.call)


def test_a_model_made_with_arguments_is_made_with_them_again():
    """`sub_model = MLP((128, 64), num_classes=3, name="net")`: the clean copy is made with
    the arguments of that line of the source (it used to be made as `MLP()`, and refused as
    building other weights). Keras' own record of them is no help: for a keras.Model subclass
    it holds the defaults."""
    from grader.export import _state
    code = REGISTERED_MLP + 'SIZES = (128, 64)\nsub_model = MLP(SIZES, num_classes=3, ' \
                            'rate=0.5, name="net")\nsub_model(np.zeros((1, 784)))\n'
    code = "import numpy as np\n" + code
    real = _run(code)["sub_model"]
    arrays: dict = {}
    entry = dict(_state(real, "o0", arrays, {"left": 2**30}), kind="model",
                 bases=["MLP", "Model"])
    model = Interpreter([("<s>", code)], "submission", arrays).get("sub_model", entry)
    assert model.name == "net" and model.hidden_units == (128, 64) and model.rate == 0.5
    assert model.count_params() == real.count_params() == 784 * 128 + 128 + 128 * 64 + 64 + 195
    assert all(np.array_equal(a, b) for a, b in zip(model.get_weights(), real.get_weights()))
    # made any other way (here: bound twice), with what every call of the class agrees on
    twice = code + "sub_model = sub_model\n"
    again = Interpreter([("<s>", twice)], "submission", arrays).get("sub_model", entry)
    assert again.hidden_units == (128, 64) and again.name != "net"
    with pytest.raises(Uninterpretable, match="different arguments"):
        Interpreter([("<s>", twice + "other = MLP((256, 64))\n")], "submission",
                    arrays).get("sub_model", entry)
    with pytest.raises(Uninterpretable, match="not a keras import or a constant"):
        Interpreter([("<s>", code.replace("SIZES = (128, 64)", "SIZES = [128, 64]"))],
                    "submission", arrays).get("sub_model", entry)


ENCODER_LAYER = '''
import keras
from keras import layers

@keras.saving.register_keras_serializable(package="day02")
class Encoder(layers.Layer):
    def __init__(self, units=(256, 64), **kwargs):
        super().__init__(**kwargs)
        self.units = list(units)
        self.denses = [layers.Dense(u, activation="relu", name=f"enc_{i + 1}_{u // 2 * 2}")
                       for i, u in enumerate(self.units)]

    def call(self, x):
        for d in self.denses:
            x = d(x)
        return x

    def compute_output_shape(self, input_shape):
        return input_shape[:-1] + (self.units[-1],)

    def get_config(self):
        return {**super().get_config(), "units": self.units}
'''


def test_a_layer_class_with_f_strings_arithmetic_and_slices_reads_as_python_runs_it():
    """An encoder written as a keras.layers.Layer (shared by the siamese's two inputs): the
    clean process rebuilds the Functional model holding it with the class read from here."""
    x = np.random.default_rng(7).random((2, 784), dtype=np.float32)
    real, read = _run(ENCODER_LAYER)["Encoder"](), _read(ENCODER_LAYER, "Encoder")()
    _same_function(real, read, x)
    assert [d.name for d in read.denses] == [d.name for d in real.denses] == ["enc_1_256",
                                                                            "enc_2_64"]
    assert read.compute_output_shape((None, 784)) == real.compute_output_shape((None, 784))
    config = lambda m: {k: v for k, v in m.get_config().items() if k != "name"}  # noqa: E731
    assert config(read) == config(real)  # (names are numbered per instance)
    assert isinstance(read, keras_layer()) and not isinstance(read, keras_model())


def keras_layer():
    import keras
    return keras.layers.Layer


def keras_model():
    import keras
    return keras.Model


def test_the_export_names_what_a_functional_model_needs_from_the_source():
    """grader.export.portability: a class defined at the top level of the submission, or a
    Lambda of a lambda that closes over nothing, is one the clean process may read from the
    source, as is an activation function defined at the top level or a lambda without a
    closure; a class made elsewhere or a lambda with a closure is not."""
    from grader.export import portability
    namespace = _run(ENCODER_LAYER + '''
left, right = keras.Input((784,)), keras.Input((784,))
encoder = Encoder()
siamese = keras.Model([left, right], layers.concatenate([encoder(left), encoder(right)]))
def local_class():
    class Hidden(layers.Layer):
        def call(self, x):
            return x
    return Hidden()
hidden = keras.Model(left, local_class()(left))
lam = keras.Model(left, layers.Lambda(lambda t: t * 2, name="twice")(left))
def closing(k):
    return layers.Lambda(lambda t: t * k)
closure = keras.Model(left, closing(3)(left))
softmax = keras.Model(left, layers.Lambda(keras.activations.softmax)(left))
own_fn = keras.Model(left, layers.Dense(3, activation=lambda t: t, name="lam_act")(left))
def swish(t):
    return t * keras.ops.sigmoid(t)
def scaled(k):
    return lambda t: t * k
top_fn = keras.Model(left, layers.Dense(3, activation=swish, name="sw")(left))
closing_fn = keras.Model(left, layers.Dense(3, activation=scaled(2))(left))
inner = keras.Sequential([layers.Dense(3, activation="relu", name="sw")])
twin_names = keras.Model(left, inner(layers.Dense(3, activation=swish, name="sw")(left)))
''')
    none = {"own_classes": [], "lambdas": {}, "activations": {}}
    assert portability(namespace["siamese"], namespace) == \
        (None, dict(none, own_classes=["Encoder"]))
    assert portability(namespace["siamese"])[0] == \
        "uses `Encoder`, a layer Keras cannot rebuild on its own"  # no namespace: as before
    assert "`Hidden`" in portability(namespace["hidden"], namespace)[0]
    line = ENCODER_LAYER.count("\n") + 11  # the line of `lam = ...` in the file _run compiles
    assert portability(namespace["lam"], namespace) == \
        (None, dict(none, lambdas={"twice": ["<student>", line]}))
    assert "`Lambda`" in portability(namespace["closure"], namespace)[0]
    assert portability(namespace["softmax"], namespace) == \
        (None, none)  # Keras' own function: rebuilt by name
    # an activation function of the student's own: a closure-free lambda or a function defined
    # at the top level is read from the source; a closure is not
    assert portability(namespace["own_fn"], namespace) == \
        (None, dict(none, activations={"lam_act": {"lambda": ["<student>", line + 5]}}))
    assert portability(namespace["top_fn"], namespace) == \
        (None, dict(none, activations={"sw": {"function": "swish"}}))
    assert portability(namespace["closing_fn"], namespace)[0] == \
        "uses an activation function of your own"
    # a name two layers share: which layer the function belongs to is not in the configuration
    assert "`sw` two layers share" in portability(namespace["twin_names"], namespace)[0]


def test_a_layer_on_its_own_with_an_activation_function_of_the_students_own_is_not_exported():
    """Keras records the function by its bare name: a standalone Dense(3, activation=relu) of
    the student's own relu would be rebuilt with Keras' relu."""
    from grader.export import unportable_reason_layer
    namespace = _run("import keras\ndef relu(t):\n    return t\n"
                     "own = keras.layers.Dense(3, activation=relu)\n"
                     "theirs = keras.layers.Dense(3, activation='relu')\n")
    assert unportable_reason_layer(namespace["own"]) == \
        "a layer with an activation function of your own"
    assert unportable_reason_layer(namespace["theirs"]) is None


def test_a_lambda_is_read_from_the_line_the_export_names_and_nowhere_ambiguous():
    code = '''
import keras
from keras import ops
double = keras.layers.Lambda(lambda pair: ops.concatenate([pair[0] - pair[1], pair[0] * 2.0], axis=-1))
two = (lambda t: t, lambda t: -t)
def inside():
    return keras.layers.Lambda(lambda t: ops.relu(t))
'''
    interpreter = Interpreter([("<s>", code)], "submission")
    fn = interpreter.lambda_at("<s>", 4)
    import keras
    a, b = (keras.ops.convert_to_tensor(v) for v in (np.ones((2, 3), np.float32),
                                                      np.full((2, 3), 3.0, np.float32)))
    real = _run(code)["double"].function
    np.testing.assert_array_equal(np.asarray(fn([a, b])), np.asarray(real([a, b])))
    assert inspect.signature(fn) == inspect.signature(real)
    with pytest.raises(Uninterpretable, match="2 lambdas"):
        interpreter.lambda_at("<s>", 5)
    with pytest.raises(Uninterpretable, match="inside a function"):
        interpreter.lambda_at("<s>", 7)
    with pytest.raises(Uninterpretable, match="no lambda on line 3"):
        interpreter.lambda_at("<s>", 3)


def test_a_class_of_the_source_used_inside_another_reads_as_python_runs_it():
    """`self.body = HiddenStack(hidden_units)`: a layer class of the student's own inside the
    model class is read from the source too, once, and called like Keras' own layers."""
    code = ENCODER_LAYER + '''
class MLP(keras.Model):
    def __init__(self, hidden_units=(256, 64), **kwargs):
        super().__init__(**kwargs)
        self.body = Encoder(hidden_units)
        self.head = layers.Dense(10, activation="softmax")

    def call(self, inputs):
        return self.head(self.body(inputs))
'''
    x = np.random.default_rng(8).random((2, 784), dtype=np.float32)
    source = Source([("<student>", code)])
    real, read = _run(code)["MLP"](), model_class(source, "MLP", "submission")()
    _same_function(real, read, x)
    assert read.count_params() == 218_058
    assert type(read.body) is source.own_class("Encoder")  # one class object per name


def test_what_the_source_makes_a_class_with_is_what_every_call_agrees_on():
    """Interpreter.construction: the arguments of the source's calls of a class (`name`
    aside). The clean process holds a layer rebuilt from its configuration to them, and makes
    a model of the class with them when no top-level line binds it."""
    head = ENCODER_LAYER + "UNITS = (256, 64)\n"
    cases = {
        "enc = Encoder(UNITS, name='a')\nother = Encoder((256, 64), name='b')\n":
            ([(256, 64)], {}),
        "def make():\n    return Encoder(units=[8], name='x')\nenc = make()\n":
            ([], {"units": [8]}),
    }
    for tail, made in cases.items():
        assert Interpreter([("<s>", head + tail)], "submission").construction("Encoder") == made
    refused = {
        "a = Encoder((256, 64))\nb = Encoder((128, 64))\n": "different arguments",
        "def make(u):\n    return Encoder(u)\n": "not literals",
        "x = 1\n": "never makes",
    }
    for tail, why in refused.items():
        with pytest.raises(Uninterpretable, match=why):
            Interpreter([("<s>", head + tail)], "submission").construction("Encoder")


def test_a_model_of_the_class_made_otherwise_than_the_source_says_is_refused():
    """`sub_model = MLP.from_config({...activation: relu})` beside `probe = MLP()` (default
    None): the source's only call says MLP(), which has the same weight shapes but another
    activation. The export's layer configurations tell them apart: refused, not measured as
    another model (which would have named an honest file tampering)."""
    from grader.export import _state
    code = '''
import keras
from keras import layers

class MLP(keras.Model):
    def __init__(self, activation=None, **kwargs):
        super().__init__(**kwargs)
        self.hidden = layers.Dense(256, activation=activation)
        self.head = layers.Dense(10, activation="softmax")

    def call(self, x):
        return self.head(self.hidden(x))

probe = MLP()
'''
    real = _run(code)["MLP"](activation="relu")
    real(np.zeros((1, 784), dtype=np.float32))
    arrays: dict = {}
    entry = dict(_state(real, "o0", arrays, {"left": 2**30}), kind="model",
                 bases=["MLP", "Model"])
    with pytest.raises(Uninterpretable, match="configured otherwise"):
        Interpreter([("<s>", code)], "submission", arrays).get("sub_model", entry)
    same = _run(code)["MLP"]()
    same(np.zeros((1, 784), dtype=np.float32))
    entry = dict(_state(same, "o0", arrays, {"left": 2**30}), kind="model",
                 bases=["MLP", "Model"])
    assert Interpreter([("<s>", code)], "submission", arrays).get("sub_model", entry).built


BUILT_IN_BUILD = '''
import keras
from keras import layers


class Affine(layers.Layer):
    """A Dense of its own: weights made in build() with add_weight, applied with keras.ops."""
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], self.units),
                                 initializer="glorot_uniform", name="kernel")
        self.b = self.add_weight(shape=(self.units,), initializer="zeros", name="bias")

    def call(self, x):
        return keras.ops.relu(keras.ops.matmul(x, self.w) + self.b)


class MLP(keras.Model):
    def __init__(self, hidden_units=(256, 64), **kwargs):
        super().__init__(**kwargs)
        self.hidden = [layers.Dense(u, activation="relu") for u in hidden_units]
        self.extra = Affine(32)
        self.head = layers.Dense(10, activation="softmax")

    def build(self, input_shape):
        shape = tuple(input_shape)
        for layer in self.hidden:
            layer.build(shape)
            shape = shape[:-1] + (layer.units,)
        self.extra.build(shape)
        self.head.build(shape[:-1] + (self.extra.units,))
        super().build(input_shape)

    def trunk(self, x, depth=None):
        for layer in self.hidden[:depth]:
            x = layer(x)
        return x

    def call(self, inputs):
        return self.head(self.extra(self.trunk(inputs)))
'''


def test_build_add_weight_and_helper_methods_read_as_python_runs_them():
    """build(input_shape) building each layer (`layer.build(shape)`, `layer.units`,
    `super().build`), a layer class making its weights with add_weight and applying them with
    keras.ops, and a helper method of the class's own (`self.trunk(x)`)."""
    x = np.random.default_rng(9).random((2, 784), dtype=np.float32)
    real, read = _run(BUILT_IN_BUILD)["MLP"](), _read(BUILT_IN_BUILD)()
    for m in (real, read):
        m.build((None, 784))  # built by build(), not by a call: the weights exist at once
    assert [tuple(w.shape) for w in read.weights] == [tuple(w.shape) for w in real.weights]
    assert read.get_build_config() == real.get_build_config() == {"input_shape": (None, 784)}
    _same_function(real, read, x)
    assert read.count_params() == 784 * 256 + 256 + 256 * 64 + 64 + 64 * 32 + 32 + 32 * 10 + 10


@pytest.mark.parametrize("inputs", ["list", "dict"])
def test_a_model_of_a_class_built_on_several_inputs_is_brought_to_the_exported_state(inputs):
    """A subclassed siamese called on [left, right], or a two-headed model on {"pixels": ...,
    "metadata": ...}: the export records the shapes in the same structure, and the clean
    process builds the copy it reads from the source by a call on zeros of those shapes."""
    from grader.export import _state
    pick = ("left, right = inputs" if inputs == "list"
            else 'left, right = inputs["left"], inputs["right"]')
    code = f'''
import keras
from keras import layers

class Pair(keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.enc = layers.Dense(8, activation="relu")
        self.join = layers.Concatenate()
        self.head = layers.Dense(1, activation="sigmoid")

    def encode(self, x):
        return self.enc(x)

    def call(self, inputs):
        {pick}
        return self.head(self.join([self.encode(left), self.encode(right)]))

pair = Pair()
'''
    rng = np.random.default_rng(10)
    batch = [rng.random((3, 5), dtype=np.float32) for _ in range(2)]
    if inputs == "dict":
        batch = dict(zip(("left", "right"), batch))
    real = _run(code)["pair"]
    real(batch)
    arrays: dict = {}
    entry = dict(_state(real, "o0", arrays, {"left": 2**30}), kind="model",
                 bases=["Pair", "Model"])
    assert entry["input_shape"] == ([[3, 5], [3, 5]] if inputs == "list"
                                    else {"left": [3, 5], "right": [3, 5]})
    model = Interpreter([("<s>", code)], "submission", arrays).get("pair", entry)
    np.testing.assert_array_equal(np.asarray(model(batch)), np.asarray(real(batch)))
    for odd in ([[3, 5]] * 17, {"left": [3, 10**4, 10**4]}, [[3, True]], {"left": "x"}):
        with pytest.raises(Uninterpretable, match="input shape"):
            Interpreter([("<s>", code)], "submission", arrays).get("pair", dict(entry,
                                                                               input_shape=odd))


CONDITIONS = '''
import keras
from keras import layers

SIZES = (256, 64, 10)

class MLP(keras.Model):
    def __init__(self, sizes=SIZES, dropout=None, **kwargs):
        super().__init__(**kwargs)
        self.blocks = {}
        for i, size in enumerate(sizes):
            last = i == len(sizes) - 1
            self.blocks[f"dense_{i}"] = layers.Dense(size, activation="softmax" if last else "relu")
        if dropout is not None and dropout > 0:
            self.drop = layers.Dropout(dropout)
        elif not dropout:
            self.drop = None
        else:
            self.drop = layers.Identity()
        self.tag = dropout or "none"

    def call(self, x, training=False):
        for name, layer in self.blocks.items():
            x = layer(x)
            if self.drop is not None and training and name in ("dense_0", "dense_1"):
                x = self.drop(x, training=training)
        return x
'''


def test_conditions_and_a_dict_of_layers_read_as_python_runs_them():
    """if/elif/else, `x if c else y`, comparisons, `and`/`or`/`not` and `is None` on plain
    values, and a dict of layers kept on self (`self.blocks.items()`)."""
    x = np.random.default_rng(11).random((2, 784), dtype=np.float32)
    for kwargs in ({}, {"dropout": 0.5}, {"dropout": 0}):
        real, read = _run(CONDITIONS)["MLP"](**kwargs), _read(CONDITIONS)(**kwargs)
        _same_function(real, read, x)
        assert read.tag == real.tag and type(read.drop) is type(real.drop)
        assert read.count_params() == 218_058


# -- what would make the reading stale: code that changes a definition while it runs ---------
# (found by a red-team round: each of these once let a forged report pass measured clean)
@pytest.mark.parametrize("line, why", [
    ("act.__code__ = (lambda t: t).__code__", "`__code__`"),
    ("act.__defaults__ = (1.0,)", "`__defaults__`"),
    ("MLP.call = lambda self, x: x", "replaces a method"),
    ("type(net).call = lambda self, x: x", "replaces a method"),
    ("globals()['act'] = lambda t: t", "`globals()`"),
    ("g = globals()", "`globals()`"),
    ("exec('def act(t): return t', globals())", "`exec()`"),
    ("setattr(MLP, 'call', None)", "`setattr()`"),
    ("import sys; sys._getframe().f_globals['act'] = None", "`f_globals`"),
    ("import gc", "imports a module"),
    ("net.__class__ = keras.Model", "`__class__`"),
    ("from os import *", "imports `*`"),
])
def test_a_source_that_may_change_a_definition_while_it_runs_is_not_read(line, why):
    code = LESSON_MLP + "\ndef act(t, floor=0.0):\n    return t\nnet = MLP()\n" + line + "\n"
    source = Source([("<student>", code)])
    assert source.unreadable and why in source.unreadable
    with pytest.raises(Uninterpretable):
        model_class(source, "MLP", "submission")


@pytest.mark.parametrize("line", [
    "print('MLP' in globals())",  # a lookup
    "MLP.__doc__ = 'three ways'",  # a name, not what it computes
    "print(type(layers_list).__class__.__name__)",  # the lesson prints layer.__class__.__name__
    "setattr(layers_list, 'trainable', False)",  # an attribute of a value, by its literal name
])
def test_harmless_uses_of_the_same_tools_leave_the_source_readable(line):
    assert Source([("<student>", LESSON_MLP + "\nlayers_list = []\n" + line + "\n")]) \
        .unreadable is None


def test_a_walrus_or_a_match_capture_rebinds_a_constant():
    for line in ("_ = [(HIDDEN := 128) for _ in range(1)]",
                 "match (128, 64):\n    case HIDDEN:\n        pass"):
        source = Source([("<s>", "HIDDEN = (256, 64)\n" + line + "\n")])
        assert source.constant("HIDDEN") == (False, None)


@pytest.mark.parametrize("body, why", [
    # Python raises: UnboundLocalError, a keyword given twice
    ("def make():\n    x = HIDDEN\n    HIDDEN = 3\n    return keras.Sequential()\n",
     "read before the function assigns it"),
    ("def make():\n    return keras.layers.Dense(3, activation='relu', "
     "**{'activation': 'relu'})\n", "given twice"),
    # the stub's text cannot hold inf; a list default changed in place keeps what earlier
    # calls of the run put in it
    ("def make(cap=1e999):\n    return keras.Sequential()\n", "infinite"),
    ("def make(_cache=[]):\n    _cache.append(1)\n    return keras.Sequential()\n",
     "changed in place"),
])
def test_what_python_would_do_otherwise_is_refused(body, why):
    code = "import keras\nHIDDEN = (256, 64)\n" + body
    with pytest.raises(Uninterpretable, match=why):
        factory(Source([("<s>", code)]), "make", "submission")()


def test_a_sign_on_a_tensor_reads_as_python_runs_it():
    code = textwrap.dedent('''
    import keras
    from keras import layers, ops
    def my_sigmoid(t):
        return 1.0 / (1.0 + ops.exp(-t))
    def make():
        inputs = keras.Input(shape=(4,))
        return keras.Model(inputs, layers.Dense(2, activation=my_sigmoid)(inputs))
    ''')
    made = factory(Source([("<s>", code)]), "make", "submission")()
    real = _run(code)["make"]()
    made.set_weights(real.get_weights())
    x = np.random.default_rng(3).random((2, 4), dtype=np.float32)
    np.testing.assert_allclose(np.asarray(made(x)), np.asarray(real(x)), rtol=1e-6)
