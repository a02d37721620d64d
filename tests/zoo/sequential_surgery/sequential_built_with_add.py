import numpy as np
import keras
from keras import layers

# The MLP built layer by layer with add(): no surgery here
seq_model = keras.Sequential(name="mlp_sequential")
seq_model.add(keras.Input(shape=(784,)))
seq_model.add(layers.Dense(256, activation="relu"))
seq_model.add(layers.Dense(64, activation="relu"))
seq_model.add(layers.Dense(10, activation="softmax"))
seq_model.summary()

inputs = keras.Input(shape=(784,), name="pixels")
h = layers.Dense(256, activation="relu")(inputs)
h = layers.Dense(64, activation="relu")(h)
outputs = layers.Dense(10, activation="softmax")(h)
fn_model = keras.Model(inputs=inputs, outputs=outputs, name="mlp_functional")


class MLP(keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.hidden = [layers.Dense(256, activation="relu"), layers.Dense(64, activation="relu")]
        self.head = layers.Dense(10, activation="softmax")

    def call(self, inputs):
        x = inputs
        for layer in self.hidden:
            x = layer(x)
        return self.head(x)


sub_model = MLP(name="mlp_subclassed")
sub_model(np.zeros((1, 784), dtype="float32"))
