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
fn_model = keras.Model(inputs, layers.Dense(10, activation="softmax")(h), name="mlp_functional")


class MLP(keras.Model):
    """Layers made where the lesson says weights are made: in build()."""
    def __init__(self, num_classes=10, **kwargs):
        super().__init__(**kwargs)
        self.num_classes = num_classes

    def build(self, input_shape):
        self.hidden1 = layers.Dense(256, activation="relu")
        self.hidden2 = layers.Dense(128, activation="relu")
        self.head = layers.Dense(self.num_classes, activation="softmax")
        super().build(input_shape)

    def call(self, inputs, training=False):
        return self.head(self.hidden2(self.hidden1(inputs)))


sub_model = MLP(name="mlp_subclassed")
x = np.random.rand(4, 784).astype("float32")
sub_model(x)
seq_model = make_sequential()
print(sub_model.count_params(), fn_model.count_params())
