# Everything with separate activation layers (I like seeing Dense and its non-linearity as
# two rows in summary()). The head is therefore Dense(10) + Softmax(): swapping the head
# means popping both and adding both back.
import numpy as np
import keras
from keras import layers


def make_sequential():
    return keras.Sequential([
        keras.Input(shape=(784,)),
        layers.Dense(256), layers.ReLU(),
        layers.Dense(64), layers.ReLU(),
        layers.Dense(10), layers.Softmax(),
    ], name="mlp_sequential")


inputs = keras.Input(shape=(784,))
h = layers.ReLU()(layers.Dense(256)(inputs))
h = layers.ReLU()(layers.Dense(64)(h))
fn_model = keras.Model(inputs, layers.Softmax()(layers.Dense(10)(h)), name="mlp_functional")


class MLP(keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.d1, self.a1 = layers.Dense(256), layers.ReLU()
        self.d2, self.a2 = layers.Dense(64), layers.ReLU()
        self.d3, self.a3 = layers.Dense(10), layers.Softmax()

    def call(self, x, training=False):
        return self.a3(self.d3(self.a2(self.d2(self.a1(self.d1(x))))))


sub_model = MLP(name="mlp_subclassed")
sub_model(np.zeros((1, 784), dtype="float32"))

# --- surgery: swap the softmax head (Dense(10) + Softmax) for a fresh one ---
seq_model = make_sequential()
seq_model.pop()                       # the Softmax layer
seq_model.pop()                       # the Dense(10) under it
seq_model.add(layers.Dense(10))
seq_model.add(layers.Softmax())
seq_model.summary()
print(len(seq_model.layers), seq_model.count_params())   # 6 layers (3 Dense + 3 activations), 218,058
assert seq_model.count_params() == 218_058
out = seq_model.predict(np.random.rand(4, 784).astype("float32"), verbose=0)
np.testing.assert_allclose(out.sum(axis=1), 1.0, rtol=1e-5)
