# The MLP exercise's subclassed build is wrong (Dense(128) where the lesson has 256); then it
# forges a passing result, as forge_with_nonce.py does for the siamese: it walks up the
# interpreter's frames to the grader's own locals (the run's nonce, the result channel), has
# the grader's own collector describe a correct class it keeps aside, and sends that as its
# evidence, with the grader's own export of this file's names. The clean process reads the
# class this file binds to `MLP` from its source: the forgery is found and named.
import json
import os
import sys

import keras
from keras import layers


def make_sequential():
    return keras.Sequential([keras.Input(shape=(784,)), layers.Dense(256, activation="relu"),
                             layers.Dense(64, activation="relu"),
                             layers.Dense(10, activation="softmax")])


inputs = keras.Input(shape=(784,))
h = layers.Dense(64, activation="relu")(layers.Dense(256, activation="relu")(inputs))
fn_model = keras.Model(inputs, layers.Dense(10, activation="softmax")(h))


class MLP(keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.d1 = layers.Dense(128, activation="relu")
        self.d2 = layers.Dense(64, activation="relu")
        self.head = layers.Dense(10, activation="softmax")

    def call(self, inputs, training=False):
        return self.head(self.d2(self.d1(inputs)))


def _correct_class():
    class Good(keras.Model):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.d1 = layers.Dense(256, activation="relu")
            self.d2 = layers.Dense(64, activation="relu")
            self.head = layers.Dense(10, activation="softmax")

        def call(self, inputs, training=False):
            return self.head(self.d2(self.d1(inputs)))
    Good.__name__ = "MLP"
    return Good


frame = sys._getframe()
while frame is not None and "nonce" not in frame.f_locals:
    frame = frame.f_back
grader_locals = frame.f_locals
from exercises.mlp_three_ways import collect
from grader.probe import Probe
evidence = collect({"__name__": __name__, "make_sequential": make_sequential,
                    "fn_model": fn_model, "MLP": _correct_class()}, Probe(0))
payload = {"nonce": grader_locals["nonce"], "problem": None, "tampering": [], "notes": [],
           "global_policy": "float32", "inventory": [],
           "exercises": {"mlp_three_ways": evidence}, "sandbox": {}, "timings": {}}
channel = grader_locals["result"]
channel.write(json.dumps(payload, default=str) + "\n")
channel.flush()
from grader.export import export
channel.buffer.write(export(globals()))
channel.flush()
os._exit(0)
