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
fn_model = keras.Model(inputs, layers.Dense(10, activation="softmax")(h), name="mlp_functional")


class MLP(keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.h1 = layers.Dense(256, activation="relu")
        self.h2 = layers.Dense(64, activation="relu")
        self.out = layers.Dense(10, activation="softmax")

    def call(self, inputs, training=False):
        return self.out(self.h2(self.h1(inputs)))


sub_model = MLP()
sub_model(np.zeros((1, 784), "float32"))
sub_model.set_weights(fn_model.get_weights())
x = np.random.rand(4, 784).astype("float32")
np.testing.assert_allclose(fn_model.predict(x, verbose=0), sub_model.predict(x, verbose=0), rtol=1e-6)


def replace_head(model: keras.Sequential, num_classes: int = 10) -> keras.Sequential:
    """Sequential surgery: drop the last layer and put a fresh softmax head on."""
    old = model.pop()
    print("removed", old.name)
    model.add(layers.Dense(num_classes, activation="softmax", name="fresh_head"))
    return model


seq_model = replace_head(seq_model)
print(len(seq_model.layers))   # 3
seq_model.summary()
assert seq_model.count_params() == 218_058
