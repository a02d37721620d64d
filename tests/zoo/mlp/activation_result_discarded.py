# The subclassed MLP calls its ReLU layer but throws the result away: the first hidden layer
# stays linear. (The Sequential and functional builds are right.)
import numpy as np
import keras
from keras import layers


def make_sequential():
    return keras.Sequential([
        keras.Input(shape=(784,)),
        layers.Dense(256, activation="relu"),
        layers.Dense(64, activation="relu"),
        layers.Dense(10, activation="softmax"),
    ], name="mlp_sequential")


inputs = keras.Input(shape=(784,))
h = layers.Dense(256, activation="relu")(inputs)
h = layers.Dense(64, activation="relu")(h)
outputs = layers.Dense(10, activation="softmax")(h)
fn_model = keras.Model(inputs, outputs, name="mlp_functional")


class MLP(keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.d1, self.relu = layers.Dense(256), layers.ReLU()
        self.d2 = layers.Dense(64, activation="relu")
        self.head = layers.Dense(10, activation="softmax")

    def call(self, x, training=False):
        h = self.d1(x)
        self.relu(h)  # meant h = self.relu(h)
        return self.head(self.d2(h))


sub_model = MLP()
x = np.random.rand(4, 784).astype("float32")
sub_model(x)
print(sub_model.count_params())
