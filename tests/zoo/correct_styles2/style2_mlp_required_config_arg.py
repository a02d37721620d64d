# MLP three ways where everything takes an explicit config object (no defaults, on purpose:
# I want every model to say which sizes it uses).
from dataclasses import asdict, dataclass

import numpy as np
import keras
from keras import layers


@dataclass
class MLPConfig:
    input_dim: int
    hidden: tuple
    classes: int


LESSON = MLPConfig(input_dim=784, hidden=(256, 64), classes=10)


def make_sequential(config: MLPConfig) -> keras.Sequential:
    model = keras.Sequential(name="mlp_sequential")
    model.add(keras.Input(shape=(config.input_dim,)))
    for units in config.hidden:
        model.add(layers.Dense(units, activation="relu"))
    model.add(layers.Dense(config.classes, activation="softmax"))
    return model


def make_functional(config: MLPConfig) -> keras.Model:
    inputs = keras.Input(shape=(config.input_dim,), name="pixels")
    x = inputs
    for units in config.hidden:
        x = layers.Dense(units, activation="relu")(x)
    outputs = layers.Dense(config.classes, activation="softmax")(x)
    return keras.Model(inputs=inputs, outputs=outputs, name="mlp_functional")


class MLP(keras.Model):
    def __init__(self, config: MLPConfig, **kwargs):
        super().__init__(**kwargs)
        self.config = config
        self.hidden = [layers.Dense(u, activation="relu") for u in config.hidden]
        self.head = layers.Dense(config.classes, activation="softmax")

    def call(self, inputs, training=False):
        x = inputs
        for layer in self.hidden:
            x = layer(x)
        return self.head(x)

    def get_config(self):
        return {"config": asdict(self.config), "name": self.name}

    @classmethod
    def from_config(cls, cfg):
        cfg = dict(cfg)
        return cls(MLPConfig(**cfg.pop("config")), **cfg)


seq_model = make_sequential(LESSON)
fn_model = make_functional(LESSON)
sub_model = MLP(LESSON, name="mlp_subclassed")
sub_model(np.zeros((1, LESSON.input_dim), dtype="float32"))

x = np.random.rand(16, 784).astype("float32")
seq_model.set_weights(fn_model.get_weights())
sub_model.set_weights(fn_model.get_weights())
for other in (seq_model, sub_model):
    np.testing.assert_allclose(fn_model.predict(x, verbose=0), other.predict(x, verbose=0), rtol=1e-6)
    assert other.count_params() == 218_058
print("three builds, one function")
