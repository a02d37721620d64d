"""Sequential surgery: swap the softmax head for a fresh one.

I keep a handle on what pop() gives back so I can print it, then reuse the
same variable for the new head.
"""
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
x = np.random.rand(4, 784).astype("float32")
before = keras.ops.convert_to_numpy(seq_model(x))

head = seq_model.pop()                       # remove the softmax head
print(f"removed {head.name}: Dense({head.units}), {head.count_params()} params")

head = layers.Dense(10, activation="softmax", name="new_head")   # a fresh head
seq_model.add(head)                          # put it back on top
print(len(seq_model.layers))                 # 3

after = keras.ops.convert_to_numpy(seq_model(x))
print("total params:", seq_model.count_params())      # 218,058
assert len(seq_model.layers) == 3
assert seq_model.count_params() == 218_058
assert after.shape == (4, 10)
np.testing.assert_allclose(after.sum(axis=1), 1.0, rtol=1e-5)
# fresh weights -> different predictions from the old head
assert not np.allclose(before, after)


# ---- Way 2 and Way 3 of the lesson, so all three builds are here ----
inputs = keras.Input(shape=(784,), name="pixels")
h = layers.Dense(256, activation="relu")(inputs)
h = layers.Dense(64, activation="relu")(h)
outputs = layers.Dense(10, activation="softmax")(h)
fn_model = keras.Model(inputs=inputs, outputs=outputs, name="mlp_functional")


class MLP(keras.Model):
    def __init__(self, hidden_units=(256, 64), num_classes=10, **kwargs):
        super().__init__(**kwargs)
        self.hidden = [layers.Dense(u, activation="relu") for u in hidden_units]
        self.head = layers.Dense(num_classes, activation="softmax")

    def call(self, inputs, training=False):
        x = inputs
        for layer in self.hidden:
            x = layer(x)
        return self.head(x)


sub_model = MLP(name="mlp_subclassed")
sub_model(np.zeros((1, 784), dtype="float32"))
x_check = np.random.rand(4, 784).astype("float32")
sub_model.set_weights(fn_model.get_weights())
np.testing.assert_allclose(fn_model.predict(x_check, verbose=0),
                           sub_model.predict(x_check, verbose=0), rtol=1e-6)
print("functional == subclassed")
