import numpy as np
import keras
from keras import layers


# 1) Sequential
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
seq_model.summary()

# 2) Functional
inputs = keras.Input(shape=(784,), name="pixels")
h = layers.Dense(256, activation="relu")(inputs)
h = layers.Dense(64, activation="relu")(h)
outputs = layers.Dense(10, activation="softmax")(h)
fn_model = keras.Model(inputs=inputs, outputs=outputs, name="mlp_functional")
fn_model.summary()


# 3) Subclassing - just like PyTorch forward()
class MLP(keras.Model):
    def __init__(self, hidden_units=(256, 64), num_classes=10, **kwargs):
        super().__init__(**kwargs)
        self.hidden_units = hidden_units
        self.num_classes = num_classes

    def call(self, inputs, training=False):
        x = inputs
        for u in self.hidden_units:
            x = layers.Dense(u, activation="relu")(x)
        return layers.Dense(self.num_classes, activation="softmax")(x)


sub_model = MLP(name="mlp_subclassed")
y = sub_model(np.zeros((1, 784), dtype="float32"))
print("subclassed output:", y.shape)
sub_model.summary()

# TODO: weight transfer check
