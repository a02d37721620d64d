# MLP three ways; my subclassed version adds dropout (as the lesson's training-argument note
# suggests) and applies it to the pre-activation, then relu with keras.ops. At inference the
# dropout is the identity, so all three builds are the same function.
import numpy as np
import keras
from keras import layers, ops


def make_sequential():
    return keras.Sequential([
        keras.Input(shape=(784,)),
        layers.Dense(256, activation="relu"),
        layers.Dense(64, activation="relu"),
        layers.Dense(10, activation="softmax"),
    ], name="mlp_sequential")


seq_model = make_sequential()

inputs = keras.Input(shape=(784,), name="pixels")
h = layers.Dense(256, activation="relu")(inputs)
h = layers.Dense(64, activation="relu")(h)
outputs = layers.Dense(10, activation="softmax")(h)
fn_model = keras.Model(inputs=inputs, outputs=outputs, name="mlp_functional")


class MLP(keras.Model):
    def __init__(self, hidden_units=(256, 64), num_classes=10, rate=0.2, **kwargs):
        super().__init__(**kwargs)
        self.hidden = [layers.Dense(u) for u in hidden_units]
        self.drops = [layers.Dropout(rate) for _ in hidden_units]
        self.head = layers.Dense(num_classes, activation="softmax")

    def call(self, inputs, training=False):
        x = inputs
        for dense, drop in zip(self.hidden, self.drops):
            x = dense(x)
            x = drop(x, training=training)
            x = ops.relu(x)
        return self.head(x)


sub_model = MLP(name="mlp_subclassed")
sub_model(np.zeros((1, 784), dtype="float32"))

x = np.random.rand(4, 784).astype("float32")
sub_model.set_weights(fn_model.get_weights())
np.testing.assert_allclose(fn_model.predict(x, verbose=0), sub_model.predict(x, verbose=0), rtol=1e-6)
print("functional == subclassed")
