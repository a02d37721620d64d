"""The clean process: measures the student's models again where no student code has ever run.

It rebuilds the models a child exported (grader.export) with Keras alone, in safe mode, binds
them to the names they had, and runs every exercise's own collector on them, with the
submission's source as the parent read it. Nothing in this process came from the submission
but data: a configuration, weight arrays, flags. So what it measures about a rebuilt model is
not something the submission could have forged in memory; grader.verification decides what
each exercise's verdict may rest on.

A name the export lists as the student's own code (a class, a factory function, a model of
the student's class) is read from the source (grader.interpret) when a collector asks for it.
A name the clean process cannot have either way stops the collector, and that lookup is
recorded, so the parent knows the clean measurement of that exercise is not complete.

It runs as a long-lived server (one per grader; requests one at a time, a fresh Keras session
each), sandboxed like a submission but for the CPU limit. Protocol on its two pipes: a request
is a JSON line followed by the export's bytes (the JSON says how many); the reply is one JSON
line.

Usage: python -m grader.verifier REQUEST_FD REPLY_FD
"""
from __future__ import annotations

import io
import json
import linecache
import os
import sys
import time
import traceback
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from grader.interpret import Interpreter

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

# The work dir the collectors see as the submission's folder (never read: sources come from
# linecache, filled from the request).
CLEAN_DIR = "/clean"


class NeedsStudentCode(BaseException):
    """A collector asked for a name only the student's code can provide."""


_LAZY = object()  # a name of the export not rebuilt yet


class Namespace(dict):
    """The rebuilt names, recording every name a collector asked for that the submission had but
    the clean process does not (`missing_used`), and whether a collector went through all
    names (`listed`): a look-alike search may have wanted one of the missing models."""

    def __init__(self, names: dict[str, Any], missing: dict[str, dict],
                 rebuilt: "Rebuilt | None" = None, interpreter: "Interpreter | None" = None):
        super().__init__(names)
        self.missing = missing
        self.missing_used: set[str] = set()
        self.listed = False
        self.unlisted: set[str] = set()  # models left out of a listing: not read from source
        self.rebuilt = rebuilt
        self.interpreter = interpreter
        for name in (rebuilt.names if rebuilt is not None else ()):
            dict.__setitem__(self, name, _LAZY)

    def _read(self, key: str) -> bool:
        """Bind a name the export lacks, read from the source (grader.interpret); False when
        it cannot be, with why recorded in the missing entry."""
        if dict.__contains__(self, key):
            return True
        if self.interpreter is None or not self.interpreter.readable(self.missing[key]):
            return False
        from grader.interpret import Uninterpretable
        try:
            dict.__setitem__(self, key, self.interpreter.get(key, self.missing[key]))
            return True
        except Uninterpretable as exc:
            entry = self.missing[key]
            if not entry.get("unread"):
                self.missing[key] = dict(entry, why=_unread(entry, exc), unread=True)
            return False

    def _asked(self, key: Any) -> None:
        if isinstance(key, str) and key in self.missing and not self._read(key):
            self._need(key)
        if isinstance(key, str) and dict.get(self, key) is _LAZY:
            try:
                dict.__setitem__(self, key, self.rebuilt.get(key))
            except NotRebuilt as exc:
                dict.__delitem__(self, key)
                self.missing[key] = {"kind": "model", "why": str(exc)}
                self._need(key)

    def _rebuild_all(self) -> None:
        for key in [k for k, v in dict.items(self) if v is _LAZY]:
            try:
                self._asked(key)
            except NeedsStudentCode:  # listed, not asked for: left out of the listing
                self.missing_used.discard(key)
                self.unlisted.add(key)

    def _need(self, key: str) -> None:
        self.missing_used.add(key)
        # The measurement can no longer be used: stop it here instead of finishing the work.
        # A BaseException, so that a collector's `except Exception` does not swallow it.
        raise NeedsStudentCode(key)

    def __getitem__(self, key):
        self._asked(key)
        return super().__getitem__(key)

    def get(self, key, default=None):
        self._asked(key)
        return super().get(key, default)

    def __contains__(self, key) -> bool:
        if isinstance(key, str) and key in self.missing and not self._read(key):
            self._need(key)
        return super().__contains__(key)  # a name to rebuild is there, rebuilt or not yet

    def instance(self, key: str, cls: type) -> Any:
        """namespace[key] if it is a `cls`, else None (exercises._lesson_models.instance_named):
        a name the clean process lacks is needed only if the submission bound a `cls` to it."""
        if dict.__contains__(self, key):
            self._asked(key)
            obj = dict.__getitem__(self, key)
            return obj if isinstance(obj, cls) else None
        entry = self.missing.get(key)
        if entry is not None and cls.__name__ in entry.get("bases", [cls.__name__]):
            if not self._read(key):
                self._need(key)
            obj = dict.__getitem__(self, key)
            return obj if isinstance(obj, cls) else None
        return None

    def _list(self):
        if not self.listed:
            # a listing sees every model the child had: those of the student's own classes
            # too, read from the source, or the measurement is incomplete
            for key, entry in list(self.missing.items()):
                if entry.get("kind") in ("model", "layer") and not self._read(key):
                    self.unlisted.add(key)
        self.listed = True

    # Listings are copies: a collector that looks a name up while it walks them may have it read
    # from the source and bound (grader.interpret), which must not change what it is walking.
    def items(self):
        self._list()
        self._rebuild_all()
        return list(super().items())

    def keys(self):
        self._list()
        return list(super().keys())

    def values(self):
        self._list()
        self._rebuild_all()
        return list(super().values())

    def __iter__(self):
        self._list()
        return iter(list(super().__iter__()))


def _unread(entry: dict, exc: BaseException) -> str:
    """Why a name the export lacks could not be read from the source either."""
    what = entry.get("why") or f"a {entry.get('kind') or 'definition'} of your own"
    return f"{what}, which the grader could not read from your source: {exc}"


def _not_rebuilt(exc: BaseException) -> str:
    return f"Keras could not rebuild it from its configuration ({type(exc).__name__})"


class Unreadable(ValueError):
    """The export is not an .npz file with a manifest, as grader.export writes it."""


def _likeness(layer) -> tuple:
    """What two layers of one class must share to compute the same: the configuration of each
    layer inside (grader.export.layer_configs: names aside, they are numbered) and the plain
    values and functions the layer keeps. Layers that cannot say are like none."""
    from grader.export import layer_configs
    from grader.interpret import _plain_or_dict

    own = {k: v if _plain_or_dict(v) else _function_name(v) for k, v in vars(layer).items()
           if not k.startswith("_") and k != "name" and
           (_plain_or_dict(v) or _function_name(v) is not None)}
    inner = layer_configs(layer)
    return (_as_json(own), inner) if inner is not None else (object(),)


def _function_name(value: Any) -> str | None:
    """A function kept on a layer (`self.act = keras.activations.relu`), by its full name."""
    import types
    if isinstance(value, (types.FunctionType, types.BuiltinFunctionType)):
        return f"{getattr(value, '__module__', '')}.{getattr(value, '__qualname__', '')}"
    return None


def _as_json(value: Any) -> Any:
    """A configuration goes through JSON: `units=(256, 64)` comes back as [256, 64]."""
    if isinstance(value, dict):
        return {k: _as_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_as_json(v) for v in value]
    return value


def _dicts(value: Any, depth: int = 0):
    """Every dict in a JSON value (a model's configuration), depth first."""
    if depth > 64:
        return
    if isinstance(value, dict):
        yield value
        for v in value.values():
            yield from _dicts(v, depth + 1)
    elif isinstance(value, list):
        for v in value:
            yield from _dicts(v, depth + 1)


def tf_activations() -> dict[str, Any]:
    """TensorFlow's activations under the names Keras writes for them in a configuration and
    cannot read back: `Dense(10, activation=tf.nn.softmax)` is saved as the function
    `softmax_v2`, which Keras looks up in vain (tf.nn.relu is saved as "relu", Keras' own,
    and stays that). The functions are TensorFlow's, found by the name the child wrote."""
    import keras

    from grader.interpret import tf_nn_functions
    own = set(dir(keras.activations))
    return {f.__name__: f for f in tf_nn_functions() if f.__name__ not in own}


def load_exported(obj, weights: list, flags: list) -> None:
    """The exported weights and each variable's trainable flag, onto a rebuilt model or layer."""
    if weights:
        if not obj.built:
            raise ValueError("weights for an object that is not built")
        obj.set_weights(weights)
    if len(flags) != len(obj.weights):
        raise ValueError("the trainable flags do not match the weights")
    for variable, flag in zip(obj.weights, flags):
        if variable.trainable != bool(flag):
            variable.trainable = bool(flag)


NOT_COMPILED = "compiled with a loss, metric or optimizer of your own"


def compile_as_exported(model, config: dict | None) -> bool:
    """Compile a rebuilt model as the export says the student did; False when Keras cannot
    (a loss, metric or optimizer of the student's own). Nothing to do without a config."""
    if not config:
        return True
    try:
        model.compile_from_config(config)
    except Exception:  # noqa: BLE001
        pass
    return bool(getattr(model, "compiled", False))


def read_export(blob: bytes) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the manifest, the arrays) of an export; Unreadable if it is not what grader.export
    writes."""
    import numpy as np

    from grader.export import MANIFEST_KEY
    try:
        with np.load(io.BytesIO(blob), allow_pickle=False) as npz:
            manifest = json.loads(npz[MANIFEST_KEY].tobytes().decode())
            arrays = {k: npz[k] for k in npz.files if k != MANIFEST_KEY}
        if not isinstance(manifest, dict):
            raise ValueError("the manifest is not an object")
    except Exception as exc:  # noqa: BLE001 - not what grader.export writes
        raise Unreadable(f"{type(exc).__name__}: {str(exc)[:200]}") from None
    return manifest, arrays


class NotRebuilt(Exception):
    """A name of the export that Keras could not rebuild; the message says why."""


class Rebuilt:
    """The export's names, each rebuilt the first time a collector asks for it (rebuilding is
    most of the clean process's time, ~0.07 s a model, and an exercise that stops at a name
    it lacks never needs the rest). Names bound to one object, and a layer of a model, stay
    the very same object."""

    def __init__(self, manifest: dict[str, Any], arrays: dict[str, Any], interpreter=None):
        self.manifest, self.arrays = manifest, arrays
        self.interpreter = interpreter  # reads the student's own classes a model holds
        self._done: dict[str, Any] = {}
        self._failed: dict[str, str] = {}
        groups = ("models", "standalone", "aliases", "layers")
        self.names = [n for g in groups for n in (manifest.get(g) or {})]

    def get(self, name: str) -> Any:
        if name in self._failed:
            raise NotRebuilt(self._failed[name])
        if name not in self._done:
            try:
                self._done[name] = self._make(name)
            except NotRebuilt as exc:
                self._failed[name] = str(exc)
                raise
            except Exception as exc:  # noqa: BLE001 - untrusted data: name it, never crash
                self._failed[name] = _not_rebuilt(exc)
                raise NotRebuilt(self._failed[name]) from None
        return self._done[name]

    def _own_classes(self, entry: dict, config: Any) -> dict[str, Any]:
        """The classes of the student's own a model holds (grader.export.portability), read
        from the source, under the names its configuration gives them (a registered class is
        `package>Name`). One that cannot be read leaves the model not rebuilt, saying why."""
        from grader.interpret import Uninterpretable

        names = entry.get("own_classes") or []
        if not names:
            return {}
        if self.interpreter is None or not isinstance(names, list):
            raise NotRebuilt("it uses classes of your own")
        missing = self.manifest.get("missing") or {}
        found: dict[str, Any] = {}
        for name in names:
            cls_entry = missing.get(name) if isinstance(name, str) else None
            if not isinstance(cls_entry, dict) or cls_entry.get("kind") != "class":
                raise NotRebuilt(f"it uses `{name}`, which is not a class of your file")
            try:
                found[name] = self.interpreter.get(name, cls_entry)
            except Uninterpretable as exc:
                raise NotRebuilt(f"uses `{name}`, a class of your own the grader could not "
                                 f"read from your source: {exc}") from None
        objects = dict(found)
        for node in _dicts(config):
            cls = found.get(node.get("class_name"))
            registered = node.get("registered_name")
            if cls is not None and isinstance(registered, str):
                objects[registered] = cls
        for node in _dicts(config):
            if node.get("class_name") in found and isinstance(node.get("config"), dict):
                self._check_faithful(node, objects)
        return objects

    def _check_faithful(self, node: dict, objects: dict) -> None:
        """A layer of the student's class, made from its configuration as Keras will make it,
        must be the one the source makes: a get_config() that leaves out an argument
        (`Encoder(activation="relu")` whose configuration says nothing of it; Keras' own for a
        keras.Model subclass records the defaults), or a from_config() that ignores one,
        rebuilds another layer with the very same weight shapes. The source's calls of the
        class say what it was made with (grader.interpret.Interpreter.construction); the two
        must agree in their layers' configurations and their plain attributes."""
        import copy

        import keras

        from grader.interpret import Uninterpretable

        name = node["class_name"]
        try:
            args, kwargs = self.interpreter.construction(name, node["config"].get("name"))
            made = copy.deepcopy(node)
            made.pop("build_config", None)  # unbuilt, as the one made from the source is
            made.pop("compile_config", None)
            with keras.saving.custom_object_scope(objects):
                from_config = keras.saving.deserialize_keras_object(made)
            from_source = objects[name](*args, **kwargs)
        except Uninterpretable as exc:
            raise NotRebuilt(f"uses `{name}`, a class of your own the grader could not read "
                             f"from your source: {exc}") from None
        if _likeness(from_config) != _likeness(from_source):
            raise NotRebuilt(f"uses `{name}`, a class of your own that its configuration "
                             f"rebuilds otherwise than your source makes it (an argument of "
                             f"__init__ lost in get_config() or from_config(); Keras' own for a "
                             f"keras.Model subclass keeps the defaults). Not a mistake: a "
                             f"get_config() returning every argument lets it be measured clean")

    def _lambdas(self, entry: dict, config: Any) -> dict[str, Any]:
        """Each Lambda layer's Python lambda, read from the source at the place the export
        names (grader.export._lambda_source) instead of being loaded from the bytecode in the
        configuration, which Keras' safe mode rightly refuses: the layer's configuration is
        pointed at a function the grader made, under a name of its own."""
        from grader.interpret import Uninterpretable

        where = entry.get("lambdas") or {}
        if not where:
            return {}
        if self.interpreter is None or not isinstance(where, dict):
            raise NotRebuilt("it uses Lambda layers")
        objects: dict[str, Any] = {}
        for node in _dicts(config):
            inner = node.get("config")
            if node.get("class_name") != "Lambda" or not isinstance(inner, dict) or \
                    inner.get("name") not in where:
                continue
            place = where[inner["name"]]
            try:
                if not (isinstance(place, list) and len(place) == 2 and
                        isinstance(place[0], str) and isinstance(place[1], int)):
                    raise Uninterpretable("the export's record of where it is is not one the "
                                          "grader reads")
                fn = self.interpreter.lambda_at(place[0], place[1])
            except Uninterpretable as exc:
                raise NotRebuilt(f"uses a Lambda whose function the grader could not read "
                                 f"from your source: {exc}") from None
            key = f"grader>lambda_{len(objects)}"
            objects[key] = fn
            inner["function"] = key
        return objects

    def _activations(self, entry: dict, config: Any) -> dict[str, Any]:
        """Each layer's activation function of the student's own (`Dense(64,
        activation=swish)`, `activation=lambda t: ops.relu(t)`), read from the source at the
        place the export names; the layer's configuration is pointed at it under a name of the
        grader's own: Keras records a function by its bare name (`swish`, or `relu` for one of
        the student's that computes something else) and a lambda as bytecode, which safe mode
        refuses."""
        from grader.interpret import Uninterpretable

        where = entry.get("activations") or {}
        if not where:
            return {}
        if self.interpreter is None or not isinstance(where, dict):
            raise NotRebuilt("it uses activation functions of your own")
        objects: dict[str, Any] = {}
        for node in _dicts(config):
            inner = node.get("config")
            if not isinstance(inner, dict) or "activation" not in inner or \
                    inner.get("name") not in where:
                continue
            place = where[inner["name"]]
            try:
                fn = self.interpreter.activation(place)
            except Uninterpretable as exc:
                raise NotRebuilt(f"uses an activation function the grader could not read from "
                                 f"your source: {exc}") from None
            key = f"grader>activation_{len(objects)}"
            objects[key] = fn
            # a function as Keras serializes one, looked up among the custom objects (a bare
            # string would be taken for Keras' own activation of that name)
            inner["activation"] = {"module": "builtins", "class_name": "function",
                                   "config": key, "registered_name": "function"}
        return objects

    def _make(self, name: str) -> Any:
        import keras

        from grader.introspect import _all_layers

        m = self.manifest
        if name in (m.get("aliases") or {}):
            target = m["aliases"][name]
            try:
                return self.get(target)
            except NotRebuilt:
                raise NotRebuilt(f"an alias of `{target}`, which could not be rebuilt") from None
        if name in (m.get("layers") or {}):
            owner, index = m["layers"][name]
            try:
                return _all_layers(self.get(owner))[int(index)]
            except NotRebuilt:
                raise NotRebuilt(f"a layer of `{owner}`, which could not be rebuilt") from None
        if name in (m.get("standalone") or {}):
            entry = m["standalone"][name]
            with keras.saving.custom_object_scope(tf_activations()):
                layer = keras.saving.deserialize_keras_object(entry["config"])
            if not isinstance(layer, keras.layers.Layer):
                raise TypeError("not a layer")
            if entry.get("build") and not layer.built:
                layer.build_from_config(entry["build"])
            load_exported(layer, self._weights(entry["key"], entry),
                          entry.get("trainable") or [])
            return layer
        entry = m["models"][name]
        config = json.loads(entry["config"])
        if isinstance(config, dict):  # compiled separately below, with its own reason to fail
            config.pop("compile_config", None)
        with keras.saving.custom_object_scope({**tf_activations(),
                                               **self._own_classes(entry, config),
                                               **self._lambdas(entry, config),
                                               **self._activations(entry, config)}):
            model = keras.models.model_from_json(json.dumps(config))
        if not isinstance(model, keras.Model):
            raise TypeError("not a model")
        load_exported(model, self._weights(f"m{int(entry['index'])}", entry),
                      entry.get("trainable") or [])
        if not compile_as_exported(model, entry.get("compile")):
            # Checks read how a model was compiled: without it the measurement is not
            # complete, and the model counts as one only the student's code can make.
            raise NotRebuilt(NOT_COMPILED)
        return model

    def _weights(self, key: str, entry: dict) -> list:
        return [self.arrays[f"{key}_w{j}"] for j in range(int(entry["n_weights"]))]


def measure(request: dict[str, Any], blob: bytes) -> dict[str, Any]:
    """Every exercise's evidence, measured on the rebuilt models; per exercise, which missing
    names its collector asked for."""
    import keras

    from grader.exercise import load_exercises
    from grader.interpret import Interpreter, Uninterpretable
    from grader.probe import Probe
    from grader.terminal_text import strip_ansi

    # A fresh Keras session for each submission; without the full garbage collection it would
    # run (~0.12 s with TensorFlow's heap): Python's own collector frees the last request's
    # models in its time.
    keras.backend.clear_session(free_memory=False)
    keras.config.set_dtype_policy("float32")
    manifest, arrays = read_export(blob)
    if manifest.get("error"):
        raise RuntimeError(f"the grader could not describe the models: {manifest['error']}")
    missing = dict(manifest.get("missing", {}))
    module_name = manifest.get("module_name") or "submission"
    interpreter = Interpreter([(c["filename"], c["code"]) for c in request["source"]["chunks"]],
                              module_name, arrays)
    rebuilt = Rebuilt(manifest, arrays, interpreter)
    source = request["source"]
    filenames = []
    for chunk in source["chunks"]:
        linecache.cache[chunk["filename"]] = (len(chunk["code"]), None,
                                              chunk["code"].splitlines(True), chunk["filename"])
        filenames.append(chunk["filename"])
    out: dict[str, Any] = {"exercises": {}, "incomplete": {}}
    try:
        for ex_id, exercise in load_exercises().items():
            wanted = request.get("exercises")
            if wanted is not None and ex_id not in wanted:
                continue
            namespace = Namespace({}, missing, rebuilt, interpreter)
            namespace["__name__"] = module_name
            namespace["__file__"] = os.path.join(CLEAN_DIR, os.path.basename(source["path"]))
            try:
                evidence = exercise.collect(namespace, Probe(int(request["seed"])))
            except NeedsStudentCode:
                evidence = {"attempted": True, "needs_student_code": True}
            except Uninterpretable as exc:  # read from source, then something it cannot read
                evidence = {"attempted": True, "needs_student_code": True}
                name = exc.name or "your code"
                namespace.missing_used.add(name)
                entry = missing.get(name, {"kind": "definition"})
                missing[name] = dict(entry, why=_unread({"kind": entry.get("kind")}, exc),
                                     unread=True)
            except Exception as exc:  # noqa: BLE001
                evidence = {"attempted": True, "collect_error":
                            f"{type(exc).__name__}: {strip_ansi(str(exc))[:500]}"}
            keras.config.set_dtype_policy("float32")
            out["exercises"][ex_id] = evidence
            used = sorted(namespace.missing_used) + sorted(namespace.unlisted)
            if used:
                out["incomplete"][ex_id] = {n: missing[n] for n in dict.fromkeys(used)}
    finally:
        for filename in filenames:
            linecache.cache.pop(filename, None)
    return out


def serve(request_fd: int, reply_fd: int) -> int:
    from grader import sandbox
    from grader.child import warm_imports

    warm_imports()
    requests = os.fdopen(request_fd, "rb")  # buffered: a header line is not read byte by byte
    replies = os.fdopen(reply_fd, "wb")  # buffered, flushed per reply: written whole
    workdir = os.environ.get("TMPDIR") or os.getcwd()
    # Sandboxed as a submission is (the data it reads came from one), without the CPU limit of
    # one run: the parent's timeout on each request stands in for it.
    info = sandbox.apply({"workdir": workdir, "hide": [],
                          "limits": {"timeout_s": 10 ** 6, "memory_bytes": 4 * 1024 ** 3,
                                     "processes": 64, "file_bytes": 16 * 1024 ** 2}})
    replies.write((json.dumps({"ready": True, "sandbox": info}) + "\n").encode())
    replies.flush()
    while True:
        header = requests.readline()
        if not header.endswith(b"\n"):
            return 0  # the grader closed the pipe
        request = json.loads(header)
        blob = requests.read(int(request["size"]))  # all of it, or less only at end of file
        if len(blob) < int(request["size"]):
            return 0
        start = time.perf_counter()
        try:
            reply = measure(request, blob)
        except Unreadable as exc:
            reply = {"unreadable": str(exc)}
        except Exception as exc:  # noqa: BLE001 - a bad export is named, the server lives on
            reply = {"error": f"{type(exc).__name__}: {str(exc)[:500]}",
                     "traceback": traceback.format_exc()[-2000:]}
        reply["verify_s"] = round(time.perf_counter() - start, 3)
        replies.write((json.dumps(reply, default=str) + "\n").encode())
        replies.flush()


if __name__ == "__main__":
    sys.exit(serve(int(sys.argv[1]), int(sys.argv[2])))
