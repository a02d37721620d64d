"""Rebuilds a student's model class or model factory from its source, without running it.

The clean process (grader.verifier) must never run the student's code, yet the lesson's third
way to build a model is a class of the student's own, and its Sequential build is a function
(`make_sequential`). Those can only be measured clean by reading them: this module evaluates
the source of such a class or function itself, statement by statement, on real Keras objects.
It understands the small part of Python a model definition like the lesson's uses, and nothing
more:

* names imported from keras (`import keras`, `from keras import layers`, `from tensorflow
  import keras`, `tf.keras.layers.Dense` …) and top-level constants (`HIDDEN = (256, 64)`),
  each bound once at the top level;
* Keras' own layers of a short list (Dense, Dropout, …) made with plain values (numbers,
  strings, tuples, an activation of keras.activations), `keras.Input`, `keras.Sequential`
  and its `add()`, and a short list of keras.ops functions applied to tensors (`relu`, `add`…);
* in a factory, a Functional `keras.Model(inputs=…, outputs=…, name=…)` of the tensors it
  made, and the merge layers' functional forms (`layers.concatenate([x, m])`);
* in a method or the factory: assignments to local names, to `self.<name>` and to a dict's
  key (unpacking too), `for` loops, `zip`, `enumerate`, `range`, `tuple`/`list`/`dict`/`len`
  and the like of plain values, list comprehensions, dict displays (`{**base, "units": u}`),
  indexing, a dict's update/copy/get/pop, calls of the layers, `super().__init__(...)`,
  `super().get_config()`, `cls(**config)` in from_config, `return`;
* a class that derives from keras.Model alone, with the methods `__init__`, `call`,
  `get_config` and `@classmethod from_config` (the lesson: a clean round trip "needs class +
  get_config()"), and no decorator but `keras.saving.register_keras_serializable(...)`;
* a model of the class made at the top level, `sub_model = MLP((128, 64), name="net")`: the
  copy is made with the same plain arguments;
* functions defined once at the top level that a class or a factory calls (`dense_block(x,
  256)`), read the same way, with the evaluator's own values as arguments.

Anything else (a method Keras has, a condition on a tensor, a `keras.ops` function not on the
list, an activation function of the student's own, a name bound twice) stops the reading with `Uninterpretable`, a BaseException that no
collector's `except Exception` catches: the exercise is then graded as the child reported it,
as before. The Python this module writes itself is a stub per method with the student's
parameter names, required parameters and plain default values (checked to be identifiers and
literals), so that Keras sees the same signatures and Python binds the same arguments
(`call(self, inputs, training=False)` decides what fit() passes; `MLP()` fails the same way
when `hidden_units` has no default).

Faithfulness is what matters: a check the child reported passing that fails here is named
`tampering`. Every value this module computes itself is checked, and whatever it is unsure of
is refused rather than guessed; the layers, weights and tensors are Keras' own.
"""
from __future__ import annotations

import ast
import functools
import keyword
import math
from typing import Any, Callable

# Keras layers a definition may create, with plain arguments only (a Lambda takes a function,
# a TFSMLayer reads files: neither is here).
LAYERS = frozenset({
    "Dense", "Dropout", "Activation", "ReLU", "Softmax", "LeakyReLU", "ELU", "Flatten",
    "BatchNormalization", "LayerNormalization", "GaussianNoise", "GaussianDropout",
    "AlphaDropout", "Identity", "Reshape", "InputLayer",
    # merge layers: made with plain arguments, called on a list of tensors
    "Concatenate", "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Dot"})
# The merge layers' functional forms (`layers.concatenate([x, m])`): Keras' own function makes
# the layer with the plain arguments given and calls it on the list of tensors.
MERGE_FUNCTIONS = frozenset({"concatenate", "add", "subtract", "multiply", "average",
                             "maximum", "minimum", "dot"})
# keras.ops functions a call() may apply to tensors: Keras' own arithmetic, nothing that reads
# or writes anything but its arguments.
OPS = frozenset({
    "relu", "relu6", "sigmoid", "softmax", "log_softmax", "tanh", "gelu", "silu", "elu", "selu",
    "leaky_relu", "softplus", "add", "subtract", "multiply", "divide", "abs", "square", "sqrt",
    "exp", "log", "maximum", "minimum", "concatenate", "mean", "sum", "reshape", "matmul"})
# TensorFlow's activations, used as a layer's activation or applied in call() (`tf.nn.relu`).
TF_NN = frozenset({"relu", "relu6", "sigmoid", "softmax", "log_softmax", "tanh", "elu", "selu",
                   "gelu", "silu", "leaky_relu", "softplus"})
# Arithmetic the evaluator does on numbers.
ARITHMETIC = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b,
              ast.Mult: lambda a, b: a * b, ast.FloorDiv: lambda a, b: a // b,
              ast.Div: lambda a, b: a / b, ast.Mod: lambda a, b: a % b,
              ast.Pow: lambda a, b: a ** b}
# Builtins the evaluator applies itself, to plain values and containers only.
BUILTINS = {"tuple": tuple, "list": list, "dict": dict, "len": len, "int": int,
            "float": float, "str": str, "bool": bool}
# Methods of a dict the evaluator made (a get_config() building its configuration), or that
# Keras keeps for a dict of layers assigned to self (`self.blocks.items()`).
DICT_METHODS = frozenset({"update", "copy", "get", "pop", "setdefault", "items", "keys",
                          "values"})
# Comparisons the evaluator makes of plain values.
COMPARISONS = {ast.Eq: lambda a, b: a == b, ast.NotEq: lambda a, b: a != b,
               ast.Lt: lambda a, b: a < b, ast.LtE: lambda a, b: a <= b,
               ast.Gt: lambda a, b: a > b, ast.GtE: lambda a, b: a >= b,
               ast.In: lambda a, b: a in b, ast.NotIn: lambda a, b: a not in b}
POLICIES = frozenset({"float32", "float16", "bfloat16", "float64", "mixed_float16",
                      "mixed_bfloat16"})
# What lets code running change what a definition of the source does without rebinding its
# name (grader.interpret.Source._changes_definitions): a source using any of them is not read.
# (read or set; any other dunder attribute but a name may not be set either: `m.__class__ = X`,
# while the lesson itself reads `layer.__class__.__name__`)
RUNTIME_PARTS = frozenset({"__code__", "__defaults__", "__kwdefaults__", "__globals__",
                           "__dict__", "__closure__", "__builtins__", "__func__",
                           "__setattr__", "__getattribute__", "__subclasses__"})
RUNTIME_CODE = frozenset({"exec", "eval", "compile", "vars", "__import__"})
RUNTIME_MODULES = frozenset({"ctypes", "gc", "builtins"})
# Attributes that reach a running frame's globals (`sys._getframe().f_globals["act"] = f`).
FRAME_PARTS = frozenset({"f_globals", "f_builtins"})
# What a definition may be told it is called without computing anything else (the source is
# read by the names it binds, not by these).
NAMES_ONLY = frozenset({"__name__", "__qualname__", "__module__", "__doc__"})
# What may be done with `globals()` without changing it: look a name up in it.
GLOBALS_READS = frozenset({"get", "keys", "items", "values", "copy"})
# Steps of evaluation before a definition counts as too long to read (a loop over range(10**9)).
MAX_STEPS = 20_000
MAX_RANGE = 10_000


class Uninterpretable(BaseException):
    """The definition uses something this module does not read; the message says what, and
    `name` which definition of the source it was reading."""

    name: str | None = None


def _refuse(node: ast.AST | None, what: str) -> Uninterpretable:
    line = getattr(node, "lineno", None)
    return Uninterpretable(f"{what}" + (f" (line {line})" if line else ""))


def _normal_path(path: str) -> str:
    """`tensorflow.keras.layers.Dense` and `tf.keras.layers.Dense` are keras 3's own."""
    for old in ("tensorflow.keras.", "tensorflow.python.keras."):
        if path.startswith(old):
            return "keras." + path[len(old):]
    if path == "tensorflow.keras":
        return "keras"
    return path


def _reads_only(call: ast.Call, parents: dict, grader_names: set[str]) -> bool:
    """`globals()` used without a way to change it: a membership test, a lookup
    (`globals().get("x")`), or handed to a function imported from the grader itself (a
    submission talking to the grader: `export(globals())`, whose result the clean process
    measures again). Assigned to a name or handed to any other function, it may be changed."""
    parent = parents.get(call)
    if isinstance(parent, ast.Compare):
        return call in parent.comparators
    if isinstance(parent, ast.Attribute):
        return parent.attr in GLOBALS_READS and isinstance(parents.get(parent), ast.Call)
    if isinstance(parent, ast.Subscript):
        return isinstance(parent.ctx, ast.Load) and parent.value is call
    if isinstance(parent, ast.Call) and call in parent.args:
        return isinstance(parent.func, ast.Name) and parent.func.id in grader_names
    return False


class Source:
    """The static facts about a submission's source this module relies on: its top-level
    definitions, the names imported from keras, and how often each name is bound at the top
    level (a name bound twice, or made `global` somewhere, is not read)."""

    def __init__(self, chunks: list[tuple[str, str]], module_name: str = "submission"):
        self.module_name = module_name
        self.classes: dict[str, type | None] = {}  # the source's classes read (own_class)
        self.functions: dict[str, Any] = {}  # the source's functions read (own_function)
        self.depth = 0  # the source's functions running, one inside another
        self.defs: dict[str, ast.AST] = {}
        self.imports: dict[str, str] = {}
        self.constants: dict[str, Any] = {}  # NAME = <plain literal> at the top level
        self.made: dict[str, ast.Call] = {}  # name = Something(...) at the top level
        self.bindings: dict[str, int] = {}
        self.unreadable: str | None = None
        self.trees: dict[str, list[ast.Module]] = {}
        for filename, code in chunks:
            try:
                tree = ast.parse(code, filename)
            except (SyntaxError, ValueError) as exc:
                self.unreadable = f"the source does not parse ({type(exc).__name__})"
                return
            self.trees.setdefault(filename, []).append(tree)
            for node in tree.body:
                self._top(node)
            for node in ast.walk(tree):
                # `global`/`nonlocal`, a walrus (in a comprehension it binds the module's name)
                # and a match statement's capture patterns rebind names anywhere: not "bound
                # once"
                if isinstance(node, (ast.Global, ast.Nonlocal)):
                    for name in node.names:
                        self._rebind_anywhere(name)
                elif isinstance(node, ast.NamedExpr) and isinstance(node.target, ast.Name):
                    self._rebind_anywhere(node.target.id)
                elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
                    self._rebind_anywhere(node.name)
                elif isinstance(node, ast.MatchMapping) and node.rest:
                    self._rebind_anywhere(node.rest)
        # the methods the source's classes define or Keras calls (`type(m).call = f`)
        methods = set(METHODS) | {m.name for trees in self.trees.values() for t in trees
                                  for c in t.body if isinstance(c, ast.ClassDef)
                                  for m in c.body if isinstance(m, ast.FunctionDef)}
        defined = set(self.defs)  # the source's top-level classes and functions
        for trees in self.trees.values():
            for tree in trees:
                self.unreadable = self.unreadable or \
                    self._changes_definitions(tree, defined, methods)

    def _rebind_anywhere(self, name: str) -> None:
        self.bindings[name] = self.bindings.get(name, 0) + 2

    def _changes_definitions(self, tree: ast.Module, defined: set[str],
                             methods: set[str]) -> str | None:
        """Why code of the source may change, while it runs, what a definition of the source
        does, without rebinding its name: a function's code or defaults swapped
        (`act.__code__ = ...`), a method replaced on a class of the source (`MLP.call = f`), a
        name rebound through `globals()`, code made at run time (`exec`, `compile`). Then no
        definition of the source is read from it: what ran may not be what it says."""
        parents = {child: parent for parent in ast.walk(tree)
                   for child in ast.iter_child_nodes(parent)}
        grader_names = {(a.asname or a.name) for n in ast.walk(tree)
                        if isinstance(n, ast.ImportFrom) and (n.module or "").split(".")[0]
                        in ("grader", "exercises") for a in n.names}
        for node in ast.walk(tree):
            line = getattr(node, "lineno", "?")
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                    and node.func.id == "globals" and not _reads_only(
                        node, parents, grader_names):
                return f"line {line} uses `globals()` in a way that may rebind a name"
            if isinstance(node, ast.Name) and node.id == "__builtins__" or \
                    isinstance(node, ast.Attribute) and node.attr == "modules" and \
                    isinstance(node.value, ast.Name) and node.value.id == "sys":
                return f"line {line} reaches the interpreter's own modules"
            if isinstance(node, ast.Attribute):
                dunder = node.attr.startswith("__") and node.attr.endswith("__")
                if dunder and (node.attr in RUNTIME_PARTS or not isinstance(node.ctx, ast.Load)
                               and node.attr not in NAMES_ONLY) or node.attr in FRAME_PARTS:
                    return f"line {line} reaches `{node.attr}`, which changes what code does"
                if not isinstance(node.ctx, ast.Load) and node.attr not in NAMES_ONLY and (
                        isinstance(node.value, ast.Name) and node.value.id in defined
                        or node.attr in methods):
                    return f"line {line} sets `{node.attr}` on a definition or replaces a method"
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                if node.func.id in RUNTIME_CODE:
                    return f"line {line} calls `{node.func.id}()`"
                if node.func.id in ("setattr", "delattr") and (
                        len(node.args) < 2 or
                        isinstance(node.args[0], ast.Name) and node.args[0].id in defined or
                        not (isinstance(node.args[1], ast.Constant)
                             and isinstance(node.args[1].value, str))
                        or node.args[1].value.startswith("__")):
                    return f"line {line} calls `{node.func.id}()` on a definition or a " \
                           f"computed name"
            elif isinstance(node, ast.ImportFrom) and any(a.name == "*" for a in node.names):
                return f"line {line} imports `*`, which may rebind any name"
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) \
                    else [node.module or ""]
                if any(n.split(".")[0] in RUNTIME_MODULES for n in names):
                    return f"line {line} imports a module that changes code at run time"
        return None

    def _bind(self, name: str) -> None:
        self.bindings[name] = self.bindings.get(name, 0) + 1

    def _top(self, node: ast.AST) -> None:
        if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            self._bind(node.name)
            self.defs[node.name] = node
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    self._bind(alias.asname)
                    self.imports[alias.asname] = _normal_path(alias.name)
                else:  # `import keras.layers` binds `keras`
                    top = alias.name.split(".")[0]
                    self._bind(top)
                    self.imports[top] = _normal_path(top)
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                name = alias.asname or alias.name
                self._bind(name)
                if node.module and not node.level and alias.name != "*":
                    self.imports[name] = _normal_path(f"{node.module}.{alias.name}")
                else:
                    self.bindings[name] = self.bindings.get(name, 0) + 2
        else:
            if isinstance(node, ast.Assign) and len(node.targets) == 1 \
                    and isinstance(node.targets[0], ast.Name) and isinstance(node.value, ast.Call):
                self.made[node.targets[0].id] = node.value
            if isinstance(node, ast.Assign) and len(node.targets) == 1 \
                    and isinstance(node.targets[0], ast.Name):
                try:
                    value = ast.literal_eval(node.value)
                except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                    pass
                else:
                    # immutable values only: a list can be changed in place from anywhere
                    # (`HIDDEN[0] = 256`, `.append`), and the literal would be out of date
                    if _plain(value) and _immutable(value):
                        self.constants[node.targets[0].id] = value
            # Any other binding at the top level (assignments, loops, with, del, walrus, a
            # definition inside an `if`) counts; what is bound inside functions does not.
            for sub in _top_level_nodes(node):
                if isinstance(sub, ast.Name) and isinstance(sub.ctx, (ast.Store, ast.Del)):
                    self._bind(sub.id)
                elif isinstance(sub, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
                    self._bind(sub.name)
                elif isinstance(sub, (ast.Import, ast.ImportFrom)):
                    for alias in sub.names:
                        self._bind((alias.asname or alias.name).split(".")[0])
                elif isinstance(sub, ast.ExceptHandler) and sub.name:
                    self._bind(sub.name)

    def once(self, name: str) -> bool:
        return self.bindings.get(name, 0) == 1

    def constant(self, name: str) -> tuple[bool, Any]:
        """(True, value) for a name bound once at the top level, to a plain literal."""
        if name in self.constants and self.once(name):
            return True, self.constants[name]
        return False, None

    def builtin(self, name: str) -> bool:
        """A builtin the source never rebinds."""
        return name not in self.bindings

    def own_class(self, name: str) -> type | None:
        """The source's top-level class `name`, read (model_class), or None when `name` is
        no class defined once at the top level: a class of the student's own used inside
        another one (`self.body = HiddenStack(hidden_units)`)."""
        if not isinstance(self.defs.get(name), ast.ClassDef) or not self.once(name):
            return None
        if name not in self.classes:
            self.classes[name] = None  # being read: a class that needs itself is refused
            try:
                self.classes[name] = model_class(self, name, self.module_name)
            except BaseException:
                del self.classes[name]
                raise
        if self.classes[name] is None:
            raise Uninterpretable(f"class {name} needs itself to be made")
        return self.classes[name]

    def own_function(self, name: str) -> Any:
        """The source's top-level function `name`, read (factory), or None when `name` is no
        function defined once at the top level: a helper a class or a factory calls
        (`x = dense_block(x, 256)`). The values it is called with are the evaluator's own."""
        if not isinstance(self.defs.get(name), ast.FunctionDef) or not self.once(name):
            return None
        if name not in self.functions:
            self.functions[name] = factory(self, name, self.module_name)
        return self.functions[name]

    def lambda_at(self, filename: str, line: int) -> ast.Lambda:
        """The one lambda that starts on `line` of `filename`, outside any function, class,
        lambda or comprehension (its names are then the module's: a lambda inside a function
        may read the function's locals)."""
        if self.unreadable:
            raise Uninterpretable(self.unreadable)
        found: list[ast.Lambda] = []
        nested: list[ast.Lambda] = []
        scopes = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda,
                  ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)

        def walk(node: ast.AST, inside: bool) -> None:
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.Lambda) and child.lineno == line:
                    (nested if inside else found).append(child)
                walk(child, inside or isinstance(child, scopes))
        for tree in self.trees.get(filename, []):
            walk(tree, False)
        if nested or len(found) != 1:
            raise Uninterpretable(
                f"line {line} of {filename} holds {len(found) + len(nested)} lambdas"
                + (", one inside a function, class or comprehension" if nested else "")
                if nested or found else f"there is no lambda on line {line} of {filename}")
        return found[0]

    def definition(self, name: str, kind: type) -> Any:
        node = self.defs.get(name)
        if self.unreadable:
            raise Uninterpretable(self.unreadable)
        if not isinstance(node, kind) or not self.once(name):
            raise Uninterpretable(f"`{name}` is not defined once at the top level of the source")
        return node


def _top_level_nodes(node: ast.AST):
    """The nodes of a top-level statement, without descending into function or class bodies
    (their names are not the module's)."""
    todo = [node]
    while todo:
        cur = todo.pop()
        yield cur
        if isinstance(cur, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)) \
                and cur is not node:
            continue
        if isinstance(cur, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            continue  # their targets are their own scope
        todo.extend(ast.iter_child_nodes(cur))


# ---- values -----------------------------------------------------------------------------------

def _literal(node: ast.AST) -> Any:
    try:
        value = ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        raise _refuse(node, "a default value that is not a plain literal") from None
    if not _plain(value):
        raise _refuse(node, "a default value that is not a plain literal")
    if not _finite(value):  # repr(1e999) is `inf`, which the stub's text cannot hold
        raise _refuse(node, "a default value that is infinite or not a number")
    return value


def _finite(value: Any) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, (tuple, list)):
        return all(_finite(v) for v in value)
    return True


def _plain(value: Any, depth: int = 0) -> bool:
    if depth > 8:
        return False
    if value is None or isinstance(value, (bool, int, float, str)):
        return not isinstance(value, str) or len(value) < 200
    if isinstance(value, (tuple, list)):
        return len(value) < 100 and all(_plain(v, depth + 1) for v in value)
    return False


def _plain_or_dict(value: Any, depth: int = 0) -> bool:
    """Plain, or a dict of plain values under string keys (a layer's kept settings)."""
    if isinstance(value, dict):
        return depth < 8 and all(isinstance(k, str) and _plain_or_dict(v, depth + 1)
                                 for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return depth < 8 and len(value) < 100 and all(_plain_or_dict(v, depth + 1)
                                                      for v in value)
    return _plain(value)


def _immutable(value: Any) -> bool:
    if isinstance(value, list):
        return False
    return not isinstance(value, tuple) or all(_immutable(v) for v in value)


class _Return(Exception):
    def __init__(self, value: Any):
        self.value = value


class Evaluator:
    """Evaluates the body of one method or function of the source on real Keras objects."""

    def __init__(self, source: Source):
        import keras
        self.keras = keras
        self.source = source
        self.steps = 0

    # -- names from keras ---------------------------------------------------------------------
    def keras_object(self, path: str, node: ast.AST) -> Any:
        """What an imported dotted path names, if it is one this module allows."""
        keras = self.keras
        parts = path.split(".")
        if len(parts) == 3 and parts[:2] == ["tensorflow", "nn"] and parts[2] in TF_NN:
            import tensorflow as tf
            return getattr(tf.nn, parts[2])
        if parts[0] != "keras":
            raise _refuse(node, f"`{path}` is not from keras")
        rest = parts[1:]
        if rest in (["Model"], ["models", "Model"]):
            return keras.Model
        if rest == ["layers", "Layer"]:
            return keras.layers.Layer
        if rest in (["Sequential"], ["models", "Sequential"]):
            return keras.Sequential
        if rest in (["Input"], ["layers", "Input"]):
            return keras.Input
        if len(rest) == 2 and rest[0] == "layers" and rest[1] in LAYERS:
            return getattr(keras.layers, rest[1])
        if len(rest) == 2 and rest[0] == "layers" and rest[1] in MERGE_FUNCTIONS:
            return getattr(keras.layers, rest[1])
        if len(rest) == 2 and rest[0] == "ops" and rest[1] in OPS:
            return getattr(keras.ops, rest[1])
        if len(rest) == 2 and rest[0] == "activations" and not rest[1].startswith("_") \
                and rest[1] not in NOT_ACTIVATIONS:
            fn = getattr(keras.activations, rest[1], None)
            if callable(fn) and not isinstance(fn, type):
                return fn
        if rest == ["activations", "get"]:
            return _ACTIVATIONS_GET
        if rest == ["activations", "serialize"]:
            return _ACTIVATIONS_SERIALIZE
        if rest in (["saving", "register_keras_serializable"],
                    ["utils", "register_keras_serializable"]):
            return _REGISTER
        if rest in ([], ["layers"], ["activations"], ["models"], ["ops"], ["saving"], ["utils"]):
            return _Path(path)
        raise _refuse(node, f"`{path}` is not among the Keras names the grader reads")

    def resolve(self, node: ast.AST, env: dict) -> Any:
        """A Name or attribute chain naming a module-level keras import."""
        chain = []
        cur = node
        while isinstance(cur, ast.Attribute):
            chain.append(cur.attr)
            cur = cur.value
        if not isinstance(cur, ast.Name):
            raise _refuse(node, "an expression the grader does not read")
        name = cur.id
        if name in env:
            raise _refuse(node, "an attribute of a local value")
        if not chain:
            found, value = self.source.constant(name)
            if found:
                return value
            cls = self.source.own_class(name)
            if cls is not None:
                return cls
            fn = self.source.own_function(name)
            if fn is not None:
                return fn
        path = self.source.imports.get(name)
        if path is None or not self.source.once(name):
            raise _refuse(node, f"the name `{name}`, which is not a keras import or a constant "
                                f"(a number, string or tuple) bound once at the top level")
        if path == "tensorflow" and chain and chain[-1] == "keras":
            path = "keras"
            chain.pop()
        return self.keras_object(".".join([_normal_path(path)] + chain[::-1]), node)

    # -- statements ---------------------------------------------------------------------------
    def run(self, body: list[ast.stmt], env: dict) -> Any:
        try:
            for stmt in body:
                self.stmt(stmt, env)
        except _Return as ret:
            return ret.value
        return None

    def _tick(self, node: ast.AST) -> None:
        self.steps += 1
        if self.steps > MAX_STEPS:
            raise _refuse(node, "too many steps to read")

    def stmt(self, node: ast.stmt, env: dict) -> None:
        self._tick(node)
        if isinstance(node, ast.Expr):
            if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                return  # a docstring
            if not isinstance(node.value, ast.Call):
                raise _refuse(node, "an expression statement that is not a call")
            self.expr(node.value, env)
        elif isinstance(node, ast.Pass):
            return
        elif isinstance(node, ast.Assign):
            if len(node.targets) != 1:
                raise _refuse(node, "a chained assignment")
            self.assign(node.targets[0], self.expr(node.value, env), env)
        elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name) \
                and node.target.id in env:
            # `stack += [layer]` on a local list extends it in place, as Python does; on a
            # number, a string or a tuple it makes a new value
            current = env[node.target.id]
            if isinstance(current, list) and isinstance(node.op, ast.Add):
                value = self.expr(node.value, env)
                if not isinstance(value, (list, tuple)):
                    raise _refuse(node, "+= of a list and something that is not a list")
                current.extend(value)
            else:
                env[node.target.id] = self.binop(
                    ast.BinOp(left=node.target, op=node.op, right=node.value,
                              lineno=node.lineno, col_offset=node.col_offset), env)
        elif isinstance(node, ast.Return):
            raise _Return(None if node.value is None else self.expr(node.value, env))
        elif isinstance(node, ast.For):
            if node.orelse:
                raise _refuse(node, "a for loop with an else")
            for item in self._iterable(self.expr(node.iter, env), node):
                self.assign(node.target, item, env)
                for stmt in node.body:
                    self.stmt(stmt, env)
        elif isinstance(node, ast.If):  # `if self.dropout is not None:`, `elif i == last:`
            for stmt in node.body if self.truth(node.test, env) else node.orelse:
                self.stmt(stmt, env)
        else:
            raise _refuse(node, f"a statement of kind {type(node).__name__}")

    def assign(self, target: ast.AST, value: Any, env: dict) -> None:
        if isinstance(target, (ast.Tuple, ast.List)):
            items = self._iterable(value, target)
            if any(isinstance(e, ast.Starred) for e in target.elts) or len(items) != len(target.elts):
                raise _refuse(target, "an unpacking the grader does not read")
            for sub, item in zip(target.elts, items):
                self.assign(sub, item, env)
        elif isinstance(target, ast.Name):
            if target.id == "self":
                raise _refuse(target, "an assignment to `self`")
            env[target.id] = value
        elif _self_attribute(target, env):
            setattr(env["self"], target.attr, value)  # Keras tracks layers as Python would
        elif isinstance(target, ast.Subscript) and (
                isinstance(target.value, ast.Name) and type(env.get(target.value.id)) is dict
                or _self_attribute(target.value, env)):
            # config["units"] = u; self.blocks["dense_0"] = layer (a dict Keras keeps)
            container = self.expr(target.value, env)
            if not _plain_dict(container):
                raise _refuse(target, "an item assignment to something that is not a dict")
            key = self.expr(target.slice, env)
            if not isinstance(key, str):
                raise _refuse(target, "a dict key that is not a string")
            container[key] = value
        else:
            raise _refuse(target, "an assignment the grader does not read")

    def _iterable(self, value: Any, node: ast.AST) -> list:
        # (a list of layers assigned to self comes back as Keras' TrackedList, a list too)
        if isinstance(value, (list, tuple, range)):
            return list(value)
        raise _refuse(node, "a loop over something that is not a list, tuple or range")

    # -- expressions --------------------------------------------------------------------------
    def expr(self, node: ast.expr, env: dict) -> Any:
        self._tick(node)
        keras = self.keras
        if isinstance(node, ast.Constant):
            if not _plain(node.value):
                raise _refuse(node, "a constant of a kind the grader does not read")
            return node.value
        if isinstance(node, ast.Name):
            if node.id in env:
                return env[node.id]
            if node.id in env.get("__locals__", ()):
                # assigned somewhere in the function, so local to it: Python raises
                # UnboundLocalError here, it never reads the module's name
                raise _refuse(node, f"`{node.id}` read before the function assigns it")
            return self.resolve(node, env)
        if isinstance(node, (ast.Tuple, ast.List)):
            items = []
            for e in node.elts:
                if isinstance(e, ast.Starred):  # [keras.Input(...), *hidden_layers()]
                    items.extend(self._iterable(self.expr(e.value, env), e))
                else:
                    items.append(self.expr(e, env))
            return tuple(items) if isinstance(node, ast.Tuple) else items
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            value = self.expr(node.operand, env)
            if isinstance(value, (int, float)) and not isinstance(value, bool) or \
                    keras.ops.is_tensor(value) or isinstance(value, keras.KerasTensor):
                return -value if isinstance(node.op, ast.USub) else +value
            raise _refuse(node, "a sign on a value that is not a number or a tensor")
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            return not self.truth(node.operand, env)
        if isinstance(node, ast.Compare):
            return self.compare(node, env)
        if isinstance(node, ast.BoolOp):
            return self.bool_op(node, env)
        if isinstance(node, ast.IfExp):  # `"softmax" if i == last else "relu"`
            return self.expr(node.body if self.truth(node.test, env) else node.orelse, env)
        if isinstance(node, ast.ListComp):
            return self.list_comp(node, env)
        if isinstance(node, ast.BinOp):
            return self.binop(node, env)
        if isinstance(node, ast.JoinedStr):  # f"enc_dense_{i + 1}"
            parts = []
            for part in node.values:
                if isinstance(part, ast.FormattedValue):
                    if part.conversion != -1 or part.format_spec is not None:
                        raise _refuse(part, "an f-string format the grader does not read")
                    part = part.value
                value = self.expr(part, env)
                if not _plain(value) or isinstance(value, (list, tuple)):
                    raise _refuse(node, "an f-string of a value that is not plain")
                parts.append(str(value))
            return "".join(parts)
        if isinstance(node, ast.Dict):
            return self.dict_display(node, env)
        if isinstance(node, ast.Subscript):
            value = self.expr(node.value, env)
            if isinstance(node.slice, ast.Slice) and isinstance(value, (list, tuple)):
                bounds = [None if b is None else self.expr(b, env)
                          for b in (node.slice.lower, node.slice.upper, node.slice.step)]
                if all(b is None or isinstance(b, int) and not isinstance(b, bool) and b != 0
                       or b == 0 and i < 2 for i, b in enumerate(bounds)):
                    return value[slice(*bounds)]  # shape[:-1]
                raise _refuse(node, "a slice the grader does not read")
            index = self.expr(node.slice, env) if not isinstance(node.slice, ast.Slice) else None
            if _plain_dict(value) and isinstance(index, str):
                # config["hidden_units"], self.blocks["hidden1"] (Keras keeps it as its dict)
                try:
                    return value[index]
                except KeyError:
                    raise _refuse(node, f"the key {index!r}, which is not there") from None
            if not isinstance(index, int) or isinstance(index, bool) or \
                    not isinstance(value, (list, tuple)):
                raise _refuse(node, "indexing the grader does not read")
            try:
                return value[index]
            except IndexError:
                raise _refuse(node, "an index out of range") from None
        if isinstance(node, ast.Attribute):
            root = node.value
            while isinstance(root, ast.Attribute):
                root = root.value
            if isinstance(root, ast.Name) and root.id in env:  # an attribute of a local value
                owner = self.expr(node.value, env)
                if owner is env.get("self") and _attribute_ok(node.attr):
                    if node.attr in vars(owner):
                        return getattr(owner, node.attr)
                    if getattr(getattr(type(owner), node.attr, None), "_grader_helper", False):
                        return getattr(owner, node.attr)  # `self.encode`, read from the source
                    if node.attr == "add_weight":
                        return _KerasMethod(owner, "add_weight")
                if self._readable_layer(owner):
                    if node.attr == "build":  # `layer.build(shape)` in a build() method
                        return _KerasMethod(owner, "build")
                    value = _layer_attribute(owner, node.attr)
                    if value is not _NOT_PLAIN:
                        return value  # `layer.units`
                if isinstance(owner, keras.Sequential) and node.attr == "add":
                    return owner.add
                if type(owner) in _plain_models(keras) and node.attr == "summary":
                    # printed by the child; here only what it does to the model (nothing, or
                    # an error for a model that cannot be summarised) is wanted
                    return _QuietSummary(owner)
                if node.attr == "append" and isinstance(owner, list):
                    return owner.append
                if _plain_dict(owner) and node.attr in DICT_METHODS:
                    return getattr(owner, node.attr)
                raise _refuse(node, f"the attribute `{node.attr}` of a local value")
            return self.resolve(node, env)
        if isinstance(node, ast.Call):
            return self.call(node, env)
        raise _refuse(node, f"an expression of kind {type(node).__name__}")

    def truth(self, node: ast.expr, env: dict) -> bool:
        """The truth of a condition on plain values (a number, a string, None, a tuple): never
        of a tensor (whose truth Python cannot take in a graph) or of a layer."""
        value = self.expr(node, env)
        if not _plain(value):
            raise _refuse(node, "a condition on a value that is not plain")
        return bool(value)

    def compare(self, node: ast.Compare, env: dict) -> bool:
        """`i == n - 1`, `units > 0`, `act in ("relu", "gelu")` on plain values; `x is None`
        and `x is not None` on anything (an identity with None reads nothing)."""
        left = self.expr(node.left, env)
        for op, right_node in zip(node.ops, node.comparators):
            right = self.expr(right_node, env)
            if isinstance(op, (ast.Is, ast.IsNot)):
                if not (left is None or right is None):
                    raise _refuse(node, "an `is` of something else than None")
                ok = (left is right) == isinstance(op, ast.Is)
            elif type(op) in COMPARISONS and _plain(left) and _plain(right):
                try:
                    ok = COMPARISONS[type(op)](left, right)
                except TypeError:
                    raise _refuse(node, "a comparison that raises") from None
            else:
                raise _refuse(node, "a comparison of values that are not plain")
            if not ok:
                return False
            left = right
        return True

    def bool_op(self, node: ast.BoolOp, env: dict) -> Any:
        """`a and b`, `units or 64` on plain values, as Python does it: the first value that
        decides, the others never evaluated."""
        value = None
        for part in node.values:
            value = self.expr(part, env)
            if not _plain(value):
                raise _refuse(part, "`and`/`or` of a value that is not plain")
            if bool(value) == isinstance(node.op, ast.Or):
                return value
        return value

    def binop(self, node: ast.BinOp, env: dict) -> Any:
        """Arithmetic on numbers (`units * 2`, `i + 1`), and + of two tuples, lists or strings
        (`shape[:-1] + (units,)`)."""
        left, right = self.expr(node.left, env), self.expr(node.right, env)
        number = lambda v: isinstance(v, (int, float)) and not isinstance(v, bool)  # noqa: E731
        if number(left) and number(right) and type(node.op) in ARITHMETIC:
            if isinstance(node.op, ast.Pow) and (abs(right) > 64 or abs(left) > 2**16):
                raise _refuse(node, "a power too large to read")
            try:
                value = ARITHMETIC[type(node.op)](left, right)
            except (ZeroDivisionError, OverflowError):
                raise _refuse(node, "arithmetic that raises") from None
            if not _plain(value):
                raise _refuse(node, "arithmetic with a result the grader does not read")
            return value
        tensor = lambda v: self.keras.ops.is_tensor(v) or \
            isinstance(v, self.keras.KerasTensor)  # noqa: E731
        if (tensor(left) or tensor(right)) and all(tensor(v) or number(v) for v in (left, right)) \
                and type(node.op) in (ast.Add, ast.Sub, ast.Mult, ast.Div):
            return ARITHMETIC[type(node.op)](left, right)  # `pair[0] - pair[1]`: the tensors' own
        if isinstance(node.op, ast.Add) and type(left) is type(right) and \
                isinstance(left, (tuple, list, str)) and len(left) + len(right) <= 1000:
            return left + right
        raise _refuse(node, "an operation the grader does not read")

    def dict_display(self, node: ast.Dict, env: dict) -> dict:
        """{"hidden_units": ..., **base}: string keys, ** of a dict."""
        out: dict = {}
        for key, value in zip(node.keys, node.values):
            if key is None:
                inner = self.expr(value, env)
                if type(inner) is not dict:
                    raise _refuse(node, "** of something that is not a dict")
                out.update(inner)
                continue
            k = self.expr(key, env)
            if not isinstance(k, str):
                raise _refuse(key, "a dict key that is not a string")
            out[k] = self.expr(value, env)
        return out

    def list_comp(self, node: ast.ListComp, env: dict) -> list:
        if len(node.generators) != 1:
            raise _refuse(node, "a list comprehension with more than one `for`")
        gen = node.generators[0]
        if gen.ifs or gen.is_async:
            raise _refuse(node, "a list comprehension of a form the grader does not read")
        out = []
        inner = dict(env)
        for item in self._iterable(self.expr(gen.iter, env), node):
            self.assign(gen.target, item, inner)
            out.append(self.expr(node.elt, inner))
        return out

    def call(self, node: ast.Call, env: dict) -> Any:
        keras = self.keras
        func = node.func
        if _is_super_init(func):
            if "self" not in env or env.get("__method__") != "__init__":
                raise _refuse(node, "super().__init__ outside __init__")
            args, kwargs = self.arguments(node, env)
            return env["__base__"].__init__(env["self"], *args, **kwargs)
        if _is_super(func, "get_config"):
            if "self" not in env or env.get("__method__") != "get_config" or node.args \
                    or node.keywords:
                raise _refuse(node, "super().get_config() outside get_config()")
            return env["__base__"].get_config(env["self"])
        if _is_super(func, "build"):
            if "self" not in env or env.get("__method__") != "build":
                raise _refuse(node, "super().build() outside build()")
            args, kwargs = self.arguments(node, env)
            if not all(_plain(v) for v in list(args) + list(kwargs.values())):
                raise _refuse(node, "super().build() with a value that is not a shape")
            return env["__base__"].build(env["self"], *args, **kwargs)
        if isinstance(func, ast.Name) and func.id in BUILTINS and func.id not in env \
                and self.source.builtin(func.id):
            return self.builtin(func.id, node, env)
        if isinstance(func, ast.Name) and func.id == "print" and func.id not in env \
                and self.source.builtin("print"):
            self.arguments(node, env)  # read, so that what cannot be read is still refused
            return None  # the child printed it; here only the model is wanted
        if isinstance(func, ast.Name) and func.id in ("zip", "enumerate") \
                and func.id not in env and self.source.builtin(func.id):
            args, kwargs = self.arguments(node, env)
            if kwargs or not args or (func.id == "enumerate" and len(args) != 1):
                raise _refuse(node, f"a {func.id}() the grader does not read")
            lists = [self._iterable(a, node) for a in args]
            return list(zip(*lists)) if func.id == "zip" else list(enumerate(lists[0]))
        if isinstance(func, ast.Name) and func.id == "range" and func.id not in env \
                and self.source.builtin("range"):
            args, kwargs = self.arguments(node, env)
            if kwargs or not 1 <= len(args) <= 3 or \
                    not all(isinstance(a, int) and not isinstance(a, bool) for a in args):
                raise _refuse(node, "a range() the grader does not read")
            r = range(*args)
            if len(r) > MAX_RANGE:
                raise _refuse(node, "a range too long to read")
            return r
        target = self.expr(func, env)
        args, kwargs = self.arguments(node, env)
        if isinstance(target, type) and issubclass(target, keras.layers.Layer) \
                and target.__name__ in LAYERS:
            # an activation may be a function of the source's own, read as well
            # (`Dense(64, activation=swish)`)
            if not all(_plain_or_activation(v) or getattr(v, "_grader_function", False)
                       for v in list(args) + list(kwargs.values())):
                raise _refuse(node, f"{target.__name__}() with a value that is not plain")
            return target(*args, **kwargs)
        if target is keras.Input:
            if args or not all(_plain(v) for v in kwargs.values()):
                raise _refuse(node, "keras.Input() with arguments the grader does not read")
            return keras.Input(**kwargs)
        if target is keras.Sequential:
            return keras.Sequential(*args, **kwargs)
        if target is keras.Model and "self" not in env:
            # a factory's `keras.Model(inputs=[…], outputs=[…], name=…)`: Keras' own Functional
            # model of the tensors this module made (in a class it would be the student's)
            values = list(args) + list(kwargs.values())
            if not values or not all(_tensors_or_plain(v, keras) for v in values) or \
                    set(kwargs) - {"inputs", "outputs", "name"}:
                raise _refuse(node, "keras.Model() with arguments the grader does not read")
            return keras.Model(*args, **kwargs)
        if isinstance(target, keras.layers.Layer) and (
                not isinstance(target, keras.Model) or type(target) in _plain_models(keras)
                or getattr(type(target), "_grader_read", False)):
            return target(*args, **kwargs)  # Keras' own layer or model, called on tensors
        if getattr(target, "__func__", None) is keras.Sequential.add or \
                isinstance(target, _QuietSummary) and not args and not kwargs:
            return target(*args, **kwargs)
        if isinstance(target, _KerasMethod):
            if not all(_plain(v) for v in list(args) + list(kwargs.values())):
                raise _refuse(node, f"{target.what}() with a value that is not plain")
            return target(*args, **kwargs)
        if getattr(getattr(target, "__func__", None), "_grader_helper", False) \
                and getattr(target, "__self__", None) is env.get("self"):
            return target(*args, **kwargs)  # a method of the class's own, read as well
        if getattr(target, "__name__", None) == "append" and \
                isinstance(getattr(target, "__self__", None), list) and len(args) == 1 \
                and not kwargs:
            return target(*args)
        if getattr(target, "_grader_function", False):
            return target(*args, **kwargs)  # a function of the source's own, read as well
        if isinstance(target, type) and target is env.get("__class__"):
            return target(*args, **kwargs)  # `cls(**config)` in from_config
        if isinstance(target, type) and getattr(target, "_grader_read", False):
            if not all(_plain_or_activation(v) for v in list(args) + list(kwargs.values())):
                raise _refuse(node, f"{target.__name__}() with a value that is not plain")
            return target(*args, **kwargs)  # a class of the source's own, read as well
        if _dict_method(target) and not (target.__name__ == "update" and
                                         not all(isinstance(a, dict) for a in args)):
            value = target(*args, **kwargs)  # config.update({...}), config.pop("units")
            # a view of a dict (`self.blocks.items()`) is read as the list it lists
            return list(value) if target.__name__ in ("items", "keys", "values") else value
        if any(target is f for f in _merge_functions()):
            if not args or not isinstance(args[0], (list, tuple)) or \
                    not _tensors_or_plain(args[0], keras) or \
                    not all(_plain(v) for v in list(args[1:]) + list(kwargs.values())):
                raise _refuse(node, f"layers.{target.__name__}() with values the grader does "
                                    "not read")
            return target(*args, **kwargs)
        if any(target is f for f in _ops_functions()):
            if not all(_tensors_or_plain(v, keras) for v in list(args) + list(kwargs.values())):
                raise _refuse(node, "a keras.ops call on values the grader does not read")
            return target(*args, **kwargs)
        if callable(target) and target in _activation_functions():
            return target(*args, **kwargs)  # keras.activations.relu(x)
        if target is _ACTIVATIONS_GET or target is _ACTIVATIONS_SERIALIZE:
            # a layer class's own `self.activation = keras.activations.get(activation)` and
            # its get_config's serialize(): a name to a Keras function and back, nothing else
            if kwargs or len(args) != 1:
                raise _refuse(node, "keras.activations.get()/serialize() the grader does not read")
            if target is _ACTIVATIONS_GET and (args[0] is None or isinstance(args[0], str)) \
                    or _plain_or_activation(args[0]) and callable(args[0]):
                value = (keras.activations.get if target is _ACTIVATIONS_GET
                         else keras.activations.serialize)(args[0])
                if _plain_or_activation(value):
                    return value
            raise _refuse(node, "keras.activations.get()/serialize() of something that is not "
                                "a Keras activation or its name")
        raise _refuse(node, "a call the grader does not read")

    def _readable_layer(self, owner: Any) -> bool:
        """Keras' own layer or plain model, or one of a class read from the source: whose
        attributes and build() are Keras' own code, or read."""
        keras = self.keras
        if not isinstance(owner, keras.layers.Layer):
            return False
        cls = type(owner)
        return getattr(cls, "_grader_read", False) or cls in _plain_models(keras) or (
            cls.__name__ in LAYERS and getattr(keras.layers, cls.__name__, None) is cls)

    def builtin(self, name: str, node: ast.Call, env: dict) -> Any:
        """tuple(), list(), dict(), len(), int(), float(), str(), bool() of plain values,
        lists, tuples and dicts: `self.hidden_units = tuple(hidden_units)` in __init__,
        `list(self.hidden_units)` in get_config."""
        args, kwargs = self.arguments(node, env)
        if name == "dict":
            if len(args) > 1 or args and type(args[0]) is not dict:
                raise _refuse(node, "a dict() the grader does not read")
            return dict(*args, **kwargs)
        if kwargs or len(args) > 1:
            raise _refuse(node, f"a {name}() the grader does not read")
        if name in ("tuple", "list"):
            if not args:
                return BUILTINS[name]()
            if isinstance(args[0], (list, tuple, range)):
                return BUILTINS[name](args[0])
        elif name == "len":
            if args and isinstance(args[0], (list, tuple, dict, range, str)):
                return len(args[0])
        elif args and _plain(args[0]) and not isinstance(args[0], (list, tuple)):
            try:
                return BUILTINS[name](args[0])
            except (TypeError, ValueError, OverflowError):
                raise _refuse(node, f"a {name}() that raises") from None
        raise _refuse(node, f"a {name}() the grader does not read")

    def arguments(self, node: ast.Call, env: dict) -> tuple[list, dict]:
        args = []
        for a in node.args:
            if isinstance(a, ast.Starred):
                raise _refuse(a, "*args in a call")
            args.append(self.expr(a, env))
        kwargs: dict[str, Any] = {}
        for kw in node.keywords:
            if kw.arg is None:  # **kwargs: only a dict the method received
                value = self.expr(kw.value, env)
                if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
                    raise _refuse(kw, "** of something that is not the keyword arguments")
                items = list(value.items())
            else:
                items = [(kw.arg, self.expr(kw.value, env))]
            for key, value in items:
                if key in kwargs:  # Python raises "got multiple values for keyword argument"
                    raise _refuse(kw, f"the keyword argument `{key}` given twice")
                kwargs[key] = value
        return args, kwargs


class _QuietSummary:
    """`model.summary()` in a factory: run, printing nothing."""

    def __init__(self, model):
        self.model = model

    def __call__(self) -> None:
        self.model.summary(print_fn=lambda *a, **k: None)


class _KerasMethod:
    """A Keras method the evaluator calls with plain arguments only: `layer.build(shape)` of a
    layer it may build (Evaluator._readable_layer), `self.add_weight(shape=..., ...)` in a
    method of a read class."""

    def __init__(self, owner, what: str):
        self.owner, self.what = owner, what

    def __call__(self, *args, **kwargs) -> Any:
        return getattr(self.owner, self.what)(*args, **kwargs)


_NOT_PLAIN = object()


def _layer_attribute(layer, attr: str) -> Any:
    """A public attribute of a layer (`units`, `rate`, `name`) when its value is plain; else
    _NOT_PLAIN. Keras' own properties only: what a read class's instance holds is in its
    __dict__."""
    if attr.startswith("_"):
        return _NOT_PLAIN
    if getattr(type(layer), "_grader_read", False) and attr not in vars(layer):
        return _NOT_PLAIN
    try:
        value = getattr(layer, attr)
    except Exception:  # noqa: BLE001 - a property Keras refuses (`output` of an unbuilt layer)
        return _NOT_PLAIN
    return value if _plain(value) else _NOT_PLAIN


# What keras.activations.get and .serialize resolve to (see Evaluator.call).
_ACTIVATIONS_GET, _ACTIVATIONS_SERIALIZE = object(), object()

# What `keras.saving.register_keras_serializable` resolves to: a class decorator the reader
# accepts (see _registration) and never calls.
_REGISTER = object()


def _dict_method(target: Any) -> bool:
    return getattr(target, "__name__", None) in DICT_METHODS and \
        _plain_dict(getattr(target, "__self__", None))


def _self_attribute(node: ast.AST, env: dict) -> bool:
    """`self.<name>` in a method."""
    return isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
        and node.value.id == "self" and "self" in env and _attribute_ok(node.attr)


def _plain_dict(value: Any) -> bool:
    """A dict the evaluator made, or the one Keras keeps for a dict assigned to a layer's
    attribute (its TrackedDict, a dict whose methods are dict's own but for tracking)."""
    if type(value) is dict:
        return True
    from keras.src.utils.tracking import TrackedDict
    return type(value) is TrackedDict


class _Path:
    """A module of keras named on the way to one of its objects (`keras.layers`)."""

    def __init__(self, path: str):
        self.path = path


def _plain_models(keras) -> tuple[type, ...]:
    from keras.src.models.functional import Functional
    return (keras.Sequential, Functional)


# keras.activations' own helpers, which are no activation: `get` and `deserialize` look objects
# up by name or configuration, and are not needed to spell one.
NOT_ACTIVATIONS = frozenset({"get", "serialize", "deserialize"})


@functools.cache
def _activation_functions() -> frozenset:
    import keras
    return frozenset(getattr(keras.activations, n) for n in dir(keras.activations)
                     if not n.startswith("_") and n not in NOT_ACTIVATIONS
                     and callable(getattr(keras.activations, n))
                     and not isinstance(getattr(keras.activations, n), type))


@functools.cache
def _ops_functions() -> tuple:
    """The functions of OPS and TF_NN a call() may apply (compared by identity)."""
    import keras
    return tuple(getattr(keras.ops, n) for n in sorted(OPS) if hasattr(keras.ops, n)) + \
        tf_nn_functions()


@functools.cache
def _merge_functions() -> tuple:
    """The merge layers' functional forms of MERGE_FUNCTIONS (compared by identity)."""
    import keras
    return tuple(getattr(keras.layers, n) for n in sorted(MERGE_FUNCTIONS))


def _tensors_or_plain(value: Any, keras, depth: int = 0) -> bool:
    if isinstance(value, (list, tuple)) and depth < 3:
        return all(_tensors_or_plain(v, keras, depth + 1) for v in value)
    if type(value) is dict and depth < 3:  # `outputs={"digit": d, "is_hard": h}`
        return all(isinstance(k, str) and _tensors_or_plain(v, keras, depth + 1)
                   for k, v in value.items())
    return _plain(value) or keras.ops.is_tensor(value) or isinstance(value, keras.KerasTensor)


@functools.cache
def tf_nn_functions() -> tuple:
    import tensorflow as tf
    return tuple(getattr(tf.nn, n) for n in sorted(TF_NN) if hasattr(tf.nn, n))


def _plain_or_activation(value: Any) -> bool:
    return _plain(value) or (callable(value) and (value in _activation_functions()
                                                  or any(value is f for f in _ops_functions())))


def _attribute_ok(name: str) -> bool:
    return not (name.startswith("__") and name.endswith("__"))


def _is_super(func: ast.AST, attr: str) -> bool:
    """`super().<attr>` or `super(Cls, self).<attr>`."""
    if not (isinstance(func, ast.Attribute) and func.attr == attr):
        return False
    inner = func.value
    return isinstance(inner, ast.Call) and isinstance(inner.func, ast.Name) \
        and inner.func.id == "super" and not inner.keywords and len(inner.args) in (0, 2)


def _is_super_init(func: ast.AST) -> bool:
    return _is_super(func, "__init__")


# ---- signatures --------------------------------------------------------------------------

def _default(node: ast.AST, source: Source) -> Any:
    """A parameter's default: a plain literal, or a top-level constant (`units=HIDDEN`)."""
    if isinstance(node, ast.Name):
        found, value = source.constant(node.id)
        if found:
            return value
    return _literal(node)


def _signature(fn: ast.FunctionDef, first: str | None, source: Source) -> str:
    """The parameter list of `fn` as Python text, with the student's names, order, defaults
    (plain literals or top-level constants) and required parameters: a stub with it fails or
    binds exactly as the student's function does (`MLP()` raises the same TypeError when
    `hidden_units` has no default). `first`: the name a method's first parameter must have
    (`self`, `cls`). No positional-only parameters."""
    a, label = fn.args, getattr(fn, "name", "lambda")
    if a.posonlyargs:
        raise _refuse(fn, f"{label}() takes positional-only parameters")
    names = [p.arg for p in a.args] + [p.arg for p in a.kwonlyargs] + \
        [p.arg for p in (a.vararg, a.kwarg) if p is not None]
    for name in names:
        if not name.isidentifier() or keyword.iskeyword(name) or name.startswith("__"):
            raise _refuse(fn, f"a parameter name the grader does not read in {label}()")
    if len(set(names)) != len(names):
        raise _refuse(fn, "a parameter named twice")
    if first is not None and (not a.args or a.args[0].arg != first):
        raise _refuse(fn, f"{label}() whose first parameter is not `{first}`")
    _defaults_kept(fn, source)
    n_default = len(a.defaults)
    parts = []
    for i, p in enumerate(a.args):
        d = i - (len(a.args) - n_default)
        parts.append(f"{p.arg}={_default(a.defaults[d], source)!r}" if d >= 0 else p.arg)
    if a.vararg:
        parts.append(f"*{a.vararg.arg}")
    elif a.kwonlyargs:
        parts.append("*")
    for p, default in zip(a.kwonlyargs, a.kw_defaults):
        parts.append(p.arg if default is None else f"{p.arg}={_default(default, source)!r}")
    if a.kwarg:
        parts.append(f"**{a.kwarg.arg}")
    return ", ".join(parts)


LIST_MUTATORS = frozenset({"append", "extend", "insert", "pop", "remove", "clear", "sort",
                           "reverse"})


def _defaults_kept(fn: ast.FunctionDef | ast.Lambda, source: Source) -> None:
    """Refuses a function that changes a list default in place (`def make(_cache=[]):
    _cache.append(model)`): Python's list holds what every earlier call of the run put in it,
    the stub's starts as the source wrote it."""
    a = fn.args
    params = [p.arg for p in a.args][len(a.args) - len(a.defaults):] + \
        [p.arg for p, d in zip(a.kwonlyargs, a.kw_defaults) if d is not None]
    defaults = list(a.defaults) + [d for d in a.kw_defaults if d is not None]
    listed = {p for p, d in zip(params, defaults) if isinstance(d, ast.List) or
              isinstance(d, ast.Name) and isinstance(source.constant(d.id)[1], list)}
    if not listed:
        return
    for node in ast.walk(fn):
        target = None
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr in LIST_MUTATORS:
            target = node.func.value
        elif isinstance(node, ast.Subscript) and isinstance(node.ctx, (ast.Store, ast.Del)):
            target = node.value
        elif isinstance(node, ast.AugAssign):
            target = node.target
        if isinstance(target, ast.Name) and target.id in listed:
            raise _refuse(node, f"a default value (`{target.id}`) changed in place")


def _assigned(fn: ast.FunctionDef) -> frozenset[str]:
    """The names a function's body binds (so, to Python, local everywhere in it), over-counted
    rather than under: a comprehension's variable too."""
    names = set()
    for node in ast.walk(fn):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) \
                and node is not fn:
            names.add(node.name)
    return frozenset(names)


def _stub(name: str, params: str, runner) -> Any:
    """A function with the student's signature whose body hands its arguments to `runner`.
    Only identifiers and literals checked above reach this text."""
    text = f"def {name}({params}):\n    return __run(dict(locals()))\n"
    scope: dict[str, Any] = {"__run": runner, "__builtins__": {"dict": dict, "locals": locals}}
    exec(compile(text, "<grader: interpreted signature>", "exec"), scope)  # noqa: S102
    return scope[name]


# The Keras methods a class may define, with the name of their first parameter.
# get_config and from_config are what the lesson says a clean save/load round trip needs;
# build(input_shape) is where the lesson's "under the hood" section has weights made. Besides
# these, a class may have methods of its own (helpers): any name keras.Model or
# keras.layers.Layer does not have, which only the class's own code can call
# (`self.encode(left)`); a name Keras has (train_step, compute_mask ...) changes what Keras
# itself does, and is refused.
METHODS = {"__init__": "self", "call": "self", "build": "self", "get_config": "self",
           "from_config": "cls", "compute_output_shape": "self"}
# How deep methods read from the source may call each other (a helper calling itself forever
# is refused, not run until Python's own limit).
MAX_METHOD_DEPTH = 32


def _no_decorators(fn: ast.FunctionDef, source: Source, from_config: bool = False) -> None:
    """None, but `@classmethod` on a class's from_config, which must have it."""
    if from_config:
        if len(fn.decorator_list) == 1 and isinstance(fn.decorator_list[0], ast.Name) \
                and fn.decorator_list[0].id == "classmethod" and source.builtin("classmethod"):
            return
        raise _refuse(fn, "from_config() without @classmethod")
    if fn.decorator_list:
        raise _refuse(fn, f"a decorator on {fn.name}()")


def _registration(ev: "Evaluator", dec: ast.expr, name: str) -> None:
    """`@keras.saving.register_keras_serializable(package="day02")` and nothing else on the
    class. It files the class under a name for keras.saving.load_model; the grader's checks
    rebuild a model with the class itself (from_config), so the copy read here is not filed:
    the registry is global, and the clean process outlives one submission."""
    if isinstance(dec, ast.Call) and all(isinstance(a, ast.Constant) and isinstance(a.value, str)
                                         for a in list(dec.args) +
                                         [kw.value for kw in dec.keywords]) \
            and all(kw.arg in ("package", "name") for kw in dec.keywords) and len(dec.args) <= 2:
        try:
            target = ev.resolve(dec.func, {})
        except Uninterpretable:
            target = None
        if target is _REGISTER:
            return
    raise _refuse(dec, f"a decorator on class {name} other than "
                       f"keras.saving.register_keras_serializable(...)")


# ---- what the verifier asks for ------------------------------------------------------------

def model_class(source: Source, name: str, module_name: str) -> type:
    """A keras.Model (or keras.layers.Layer) subclass doing what the source's class `name`
    does."""
    import keras

    node = source.definition(name, ast.ClassDef)
    if node.keywords or len(node.bases) != 1:
        raise _refuse(node, f"class {name} has keywords or several bases")
    ev = Evaluator(source)
    for dec in node.decorator_list:
        _registration(ev, dec, name)
    base = ev.resolve(node.bases[0], {})
    if base not in (keras.Model, keras.layers.Layer):
        raise _refuse(node, f"class {name} does not derive from keras.Model or keras.layers.Layer")
    methods: dict[str, ast.FunctionDef] = {}
    for stmt in node.body:
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) \
                and isinstance(stmt.value.value, str):
            continue
        if isinstance(stmt, ast.Pass):
            continue
        if isinstance(stmt, ast.FunctionDef) and stmt.name not in methods \
                and (stmt.name in METHODS or _helper_name(stmt.name, base)):
            _no_decorators(stmt, source, from_config=stmt.name == "from_config")
            methods[stmt.name] = stmt
            continue
        if isinstance(stmt, ast.FunctionDef) and stmt.name in methods:
            what = f"the method {stmt.name}() twice"
        elif isinstance(stmt, ast.FunctionDef):
            what = f"the method {stmt.name}(), which Keras has: it changes what Keras does"
        else:
            what = "a statement that is not a method"
        raise _refuse(stmt, f"class {name} defines {what}; the grader reads "
                            f"{', '.join(METHODS)} and methods Keras does not have")
    if "call" not in methods:
        raise _refuse(node, f"class {name} has no call()")
    body: dict[str, Any] = {"__module__": module_name, "__qualname__": name,
                            "__doc__": ast.get_docstring(node), "_grader_read": True}
    depth = [0]  # methods of this class running, one inside another
    for method, fn in methods.items():
        params = _signature(fn, METHODS.get(method, "self"), source)

        def run(env: dict, fn=fn, method=method, local_names=_assigned(fn)) -> Any:
            env["__method__"] = method  # not a Python name: never collides with a parameter
            env["__locals__"] = local_names
            env["__base__"] = base
            if method == "from_config":
                env["__class__"] = env["cls"]  # the one class its body may call
            if depth[0] >= MAX_METHOD_DEPTH:
                raise _refuse(fn, "methods calling each other too deeply to read")
            depth[0] += 1
            try:
                value = Evaluator(source).run(fn.body, env)
            except Uninterpretable as exc:
                exc.name = exc.name or name
                raise
            finally:
                depth[0] -= 1
            if method in ("__init__", "build") and value is not None:
                raise _refuse(fn, f"{method}() returns a value")
            return value
        stub = _stub(method, params, run)
        if method not in METHODS:
            stub._grader_helper = True  # the evaluator calls it as `self.<name>(...)` only
        body[method] = classmethod(stub) if method == "from_config" else stub
    if "__init__" in methods and not _calls_super_init(methods["__init__"]):
        raise _refuse(methods["__init__"], f"{name}.__init__ does not call super().__init__")
    return type(name, (base,), body)


def _helper_name(name: str, base: type) -> bool:
    """A method of the student's own: not a dunder, and no attribute of the Keras base class
    (which Keras itself may call: train_step, compute_mask, build_from_config ...)."""
    return not (name.startswith("__") and name.endswith("__")) and not hasattr(base, name)


def _calls_super_init(fn: ast.FunctionDef) -> bool:
    """True when the first statement after the docstring is super().__init__(...): before it,
    Keras refuses attributes on the model, and after anything else the order may matter."""
    body = [s for s in fn.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
    return bool(body) and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Call) \
        and _is_super_init(body[0].value.func)


def factory(source: Source, name: str, module_name: str) -> Any:
    """A function doing what the source's function `name` does (`make_sequential`)."""
    node = source.definition(name, ast.FunctionDef)
    _no_decorators(node, source)
    params = _signature(node, None, source)

    local_names = _assigned(node)

    def run(env: dict) -> Any:
        env["__locals__"] = local_names
        if source.depth >= MAX_METHOD_DEPTH:
            raise _refuse(node, "functions calling each other too deeply to read")
        source.depth += 1
        try:
            return Evaluator(source).run(node.body, env)
        except Uninterpretable as exc:
            exc.name = exc.name or name
            raise
        finally:
            source.depth -= 1
    fn = _stub(name, params, run)
    fn.__module__ = module_name
    fn.__qualname__ = name
    fn._grader_function = True  # the evaluator may call it with values of its own
    return fn


# The most inputs, and the most numbers in one input, of a model the clean process builds
# again by a call on zeros (the shapes come from the export, which the child wrote).
MAX_INPUTS = 16
MAX_INPUT_SIZE = 2 ** 22


def _one_shape_ok(shape: Any) -> bool:
    if not (isinstance(shape, list) and 1 <= len(shape) <= 6 and all(
            d is None or isinstance(d, int) and not isinstance(d, bool) and 0 < d < 10**5
            for d in shape)):
        return False
    return math.prod(d or 1 for d in shape) <= MAX_INPUT_SIZE


def _input_shapes_ok(shapes: Any) -> bool:
    """One input shape, a list of them or a dict of them (grader.export._shapes)."""
    if isinstance(shapes, dict):
        return 1 <= len(shapes) <= MAX_INPUTS and all(
            isinstance(k, str) and _one_shape_ok(v) for k, v in shapes.items())
    if isinstance(shapes, list) and shapes and all(isinstance(s, list) for s in shapes):
        return len(shapes) <= MAX_INPUTS and all(_one_shape_ok(s) for s in shapes)
    return _one_shape_ok(shapes)


def _shaped(shapes: Any, make: Callable[[list], Any]) -> Any:
    """`make` of each shape, in the structure the export recorded them in."""
    if isinstance(shapes, dict):
        return {k: make(v) for k, v in shapes.items()}
    if shapes and isinstance(shapes[0], list):
        return [make(s) for s in shapes]
    return make(shapes)


def _calls_of(tree: ast.AST, name: str):
    """Each call `name(...)` in `tree`, with whether it is inside a function, class, lambda or
    comprehension (`nested`)."""
    scopes = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda, ast.ListComp,
              ast.SetComp, ast.DictComp, ast.GeneratorExp)
    todo = [(tree, False)]
    while todo:
        node, nested = todo.pop()
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == name:
            yield node, nested
        inner = nested or isinstance(node, scopes)
        todo.extend((child, inner) for child in ast.iter_child_nodes(node))


class Interpreter:
    """The names of one submission that the export lists as its own code (a class, a function,
    a model of its own class), each read from the source the first time the clean process
    needs it. Uninterpretable says why one cannot be."""

    def __init__(self, chunks: list[tuple[str, str]], module_name: str,
                 arrays: dict[str, Any] | None = None):
        self.chunks, self.module_name = chunks, module_name
        self.arrays = arrays or {}  # the export's weight arrays
        self._source: Source | None = None
        self._done: dict[str, Any] = {}
        self._refused: dict[str, str] = {}

    @property
    def source(self) -> Source:
        if self._source is None:
            self._source = Source(self.chunks, self.module_name)
        return self._source

    @staticmethod
    def readable(entry: dict) -> bool:
        """Whether an entry of the export's missing names is one this module may read: a
        class, a function, or a model of the student's own class (a Functional model holding a
        layer of the student's own is not: that layer is not in the source as a model)."""
        kind = entry.get("kind")
        return kind in ("class", "function") or (kind == "model" and bool(entry.get("own_class")))

    def get(self, name: str, entry: dict) -> Any:
        if isinstance(entry.get("alias_of"), str):  # `sub = sub_model`: one object, as in the child
            name = entry["alias_of"]
        key = f"{entry.get('kind')}:{name}"
        if key in self._refused:
            raise Uninterpretable(self._refused[key])
        if key not in self._done:
            try:
                self._done[key] = self._make(name, entry)
            except Uninterpretable as exc:
                self._refused[key] = str(exc)
                raise
            except Exception as exc:  # noqa: BLE001 - Keras refused what the source does
                self._refused[key] = f"reading it raised {type(exc).__name__}"
                raise Uninterpretable(self._refused[key]) from None
        return self._done[key]

    def _make(self, name: str, entry: dict) -> Any:
        kind, bases = entry.get("kind"), entry.get("bases") or []
        if kind == "class":
            if not bases or bases[0] != name:
                raise Uninterpretable(f"`{name}` names a class defined under another name")
            return self._class(name)
        if kind == "function":
            if entry.get("qualname") != name:
                raise Uninterpretable(f"`{name}` names a function defined under another name")
            return factory(self.source, name, self.module_name)
        if kind == "model" and bases:
            return self._instance(name, bases[0], entry)
        raise Uninterpretable(f"a {kind or 'value'} the grader does not read from source")

    def _restore(self, model, layers: list, entry: dict) -> None:
        """The trainable flags of each layer, then the weights' values and each variable's flag
        (as the clean process loads any exported model), and the compile configuration the
        export recorded."""
        from grader.verifier import NOT_COMPILED, compile_as_exported, load_exported

        layer_flags, flags = entry.get("trainable_layers"), entry.get("trainable")
        if not isinstance(layer_flags, list) or len(layer_flags) != len(layers) \
                or not isinstance(flags, list):
            raise Uninterpretable("the export's trainable flags do not fit it")
        for layer, flag in zip(layers, layer_flags):  # parents first: a model's flag reaches
            if layer.trainable != bool(flag):          # its layers
                layer.trainable = bool(flag)
        key = entry.get("weights_key")
        if model.weights and not isinstance(key, str):
            raise Uninterpretable("its weights were too large for the grader to copy")
        try:
            weights = [self.arrays[f"{key}_w{j}"] for j in range(len(model.weights))]
            load_exported(model, weights, flags)
        except (KeyError, ValueError) as exc:
            raise Uninterpretable(f"the export's weights or trainable flags do not fit it "
                                  f"({type(exc).__name__})") from None
        if not compile_as_exported(model, entry.get("compile")):
            raise Uninterpretable(NOT_COMPILED)

    def activation(self, place: Any) -> Any:
        """A layer's activation function of the student's own, where the export says it is:
        {"function": name}, a function defined once at the top level, or {"lambda": [filename,
        line]}, a lambda outside any function."""
        if isinstance(place, dict) and len(place) == 1:
            if isinstance(place.get("function"), str):
                fn = self.source.own_function(place["function"])
                if fn is not None:
                    return fn
                raise Uninterpretable(f"`{place['function']}` is not a function defined once "
                                      f"at the top level of the source")
            spot = place.get("lambda")
            if isinstance(spot, list) and len(spot) == 2 and isinstance(spot[0], str) and \
                    isinstance(spot[1], int) and not isinstance(spot[1], bool):
                return self.lambda_at(spot[0], spot[1])
        raise Uninterpretable("the export's record of where it is is not one the grader reads")

    def lambda_at(self, filename: str, line: int) -> Any:
        """A function doing what the source's lambda on `line` of `filename` does, with its
        parameters (a Lambda layer passes `mask` or `training` only to a function that takes
        them)."""
        key = f"lambda:{filename}:{line}"
        if key in self._refused:
            raise Uninterpretable(self._refused[key])
        if key not in self._done:
            try:
                node = self.source.lambda_at(filename, line)
                params = _signature(node, None, self.source)
                source = self.source

                def run(env: dict) -> Any:
                    return Evaluator(source).expr(node.body, env)
                fn = _stub("grader_lambda", params, run)
                # named as Python names a lambda: the report shows the activation it computes
                # by this name, the same in the child and here
                fn.__name__ = fn.__qualname__ = "<lambda>"
                self._done[key] = fn
            except Uninterpretable as exc:
                self._refused[key] = str(exc)
                raise
        return self._done[key]

    def _class(self, name: str) -> type:
        """One class object per name, whoever asks first (the verifier, or another class
        that uses it)."""
        cls = self.source.own_class(name)
        if cls is None:
            raise Uninterpretable(f"`{name}` is not defined once at the top level of the source")
        return cls

    def _made_with(self, name: str, class_name: str) -> tuple[list, dict]:
        """The arguments of `name = ClassName(...)`, the one top-level statement binding
        `name`, read from the source (`sub_model = MLP((128, 64), name="net")`): the copy is
        made as the student made theirs. Made any other way: with the arguments every call of
        the class in the source agrees on (construction), or refused. The class's defaults
        would not do: `MLP(activation="relu")` made in a function has the weight shapes of
        `MLP()`, and the copy would compute something else."""
        call = self.source.made.get(name)
        if call is None or not self.source.once(name) or not isinstance(call.func, ast.Name) \
                or call.func.id != class_name:
            return self.construction(class_name)
        args, kwargs = Evaluator(self.source).arguments(call, {})
        if not all(_plain(v) for v in [*args, *kwargs.values()]):
            raise _refuse(call, f"`{name}` is made with a value that is not plain")
        return args, kwargs

    def construction(self, class_name: str, layer_name: str | None = None) -> tuple[list, dict]:
        """The arguments, but `name`, that every call of `class_name` in the source passes:
        `Encoder(activation="relu", name="encoder")` made once at the top level, or `Tower()`
        made twice; with `layer_name`, the calls that pass `name=layer_name` if any do
        (`MLPBlock((256, 64), name="image_trunk")` beside `MLPBlock((16,), name="meta")`).
        Plain values only, literals only inside a function or class (there a name may be a
        local); none, or calls that differ, are refused."""
        found: list[tuple[list, dict]] = []
        named: list[tuple[list, dict]] = []
        for tree in (t for trees in self.source.trees.values() for t in trees):
            for node, nested in _calls_of(tree, class_name):
                if nested:
                    try:
                        args = [_literal(a) for a in node.args]
                        kwargs = {kw.arg: _literal(kw.value) for kw in node.keywords}
                    except Uninterpretable:
                        raise _refuse(node, f"`{class_name}` is made inside a function with "
                                            f"values that are not literals") from None
                    if None in kwargs or any(isinstance(a, ast.Starred) for a in node.args):
                        raise _refuse(node, f"`{class_name}` is made with * or **")
                else:
                    args, kwargs = Evaluator(self.source).arguments(node, {})
                    if not all(_plain(v) for v in [*args, *kwargs.values()]):
                        raise _refuse(node, f"`{class_name}` is made with a value that is not "
                                            f"plain")
                if layer_name is not None and kwargs.pop("name", None) == layer_name:
                    named.append((args, kwargs))
                kwargs.pop("name", None)
                found.append((args, kwargs))
        found = named or found
        if not found:
            raise Uninterpretable(f"the source never makes `{class_name}` by its name")
        if any(f != found[0] for f in found[1:]):
            raise Uninterpretable(f"the source makes `{class_name}` with different arguments")
        return found[0]

    def _instance(self, name: str, class_name: str, entry: dict) -> Any:
        """A model of the student's class in the state the export recorded: built by one call
        on zeros when it had weights (their shapes must then come out the same), marked built
        when it was built without any; then the same weight values, trainable flags and
        compile configuration."""
        import numpy as np

        shapes, built_with = entry.get("weight_shapes"), entry.get("input_shape")
        if not isinstance(shapes, list) or "built" not in entry:
            raise Uninterpretable("the export does not say what state the model was in")
        if built_with is not None and not _input_shapes_ok(built_with):
            raise Uninterpretable("the export's input shape is not one the grader reads")
        policies = entry.get("policies")
        if not isinstance(policies, list) or not policies or \
                not all(isinstance(p, str) and p in POLICIES for p in policies):
            raise Uninterpretable("the export does not say the model's dtype policies")
        import keras
        before = keras.config.dtype_policy()
        # Made under the global policy it was made under in the child (the student may have
        # set mixed_float16 before building it and float32 again after)
        keras.config.set_dtype_policy(policies[0])
        try:
            args, kwargs = self._made_with(name, class_name)
            model = self._class(class_name)(*args, **kwargs)
            if shapes:
                if built_with is None:
                    raise Uninterpretable("the export does not say what input built the model")
                model(_shaped(built_with, lambda s: np.zeros([d or 1 for d in s], "float32")))
            elif entry["built"]:
                if built_with is not None:
                    model.build(_shaped(built_with, tuple))
                model.built = True
        finally:
            keras.config.set_dtype_policy(before)
        if [list(w.shape) for w in model.weights] != shapes:
            raise Uninterpretable("read from the source, it builds other weights")
        from grader.export import layer_configs, layer_policies
        if layer_policies(model) != policies:
            raise Uninterpretable("read from the source, its layers have other dtype policies")
        if entry.get("layer_configs") is None or layer_configs(model) != entry["layer_configs"]:
            # made from the source with other arguments than the child's was (the same weight
            # shapes, another activation): measuring it would be measuring another model
            raise Uninterpretable("read from the source, its layers are configured otherwise "
                                  "(made with other arguments)")
        self._restore(model, model._flatten_layers(include_self=True, recursive=True), entry)
        return model
