import numpy as np
import keras
from keras import layers

def make_sequential():
    return keras.Sequential(
        [
            keras.Input(shape=(784,)),
            layers.Dense(256, activation="relu"),
            layers.Dense(64, activation="relu"),
            layers.Dense(10, activation="softmax"),
        ],
        name="mlp_sequential",
    )

seq_model = make_sequential()

inputs = keras.Input(shape=(784,), name="pixels")
h = layers.Dense(256, activation="relu")(inputs)
h = layers.Dense(64, activation="relu")(h)
outputs = layers.Dense(10, activation="softmax")(h)
fn_model = keras.Model(inputs=inputs, outputs=outputs, name="mlp_functional")


class MLP(keras.Model):
    def __init__(self, num_classes=10, **kwargs):
        super().__init__(**kwargs)
        self.num_classes = num_classes

    def call(self, inputs, training=False):
        # build the layers here, PyTorch-forward style
        self.d1 = layers.Dense(256, activation="relu")
        self.d2 = layers.Dense(64, activation="relu")
        self.out_layer = layers.Dense(self.num_classes, activation="softmax")
        return self.out_layer(self.d2(self.d1(inputs)))


sub_model = MLP(name="mlp_subclassed")
