import numpy as np
import keras
from keras import layers


def make_sequential() -> keras.Sequential:
    model = keras.Sequential(name="mlp_sequential")
    model.add(keras.Input(shape=(784,)))
    for units in (256, 64):
        model.add(layers.Dense(units, activation="relu"))
    model.add(layers.Dense(10, activation="softmax"))
    return model


seq_model = make_sequential()


def swap_head():
    """Take the softmax head off seq_model and put a freshly initialised one back."""
    seq_model.pop()
    seq_model.add(layers.Dense(10, activation="softmax", name="new_head"))


swap_head()
print(len(seq_model.layers), seq_model.count_params())
out = seq_model.predict(np.random.rand(3, 784).astype("float32"), verbose=0)
assert out.shape == (3, 10)
np.testing.assert_allclose(out.sum(axis=1), np.ones(3), rtol=1e-5)
