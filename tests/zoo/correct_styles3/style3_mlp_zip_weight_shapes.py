import numpy as np
import keras
from keras import layers


def make_sequential():
    return keras.Sequential(
        [keras.Input(shape=(784,)), layers.Dense(256, activation="relu"),
         layers.Dense(64, activation="relu"), layers.Dense(10, activation="softmax")],
        name="mlp_sequential",
    )


seq_model = make_sequential()

inputs = keras.Input(shape=(784,), name="pixels")
h = layers.Dense(256, activation="relu")(inputs)
h = layers.Dense(64, activation="relu")(h)
fn_model = keras.Model(inputs, layers.Dense(10, activation="softmax")(h), name="mlp_functional")


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

# before copying: do the variables really line up one to one?
for w_fn, w_sub in zip(fn_model.weights, sub_model.weights):
    print(f"{w_fn.path:<28} {w_sub.path:<28} {tuple(w_fn.shape)}")
    assert w_fn.shape == w_sub.shape

sub_model.set_weights(fn_model.get_weights())
seq_model.set_weights(fn_model.get_weights())
x = np.random.rand(4, 784).astype("float32")
for other in (sub_model, seq_model):
    np.testing.assert_allclose(fn_model.predict(x, verbose=0), other.predict(x, verbose=0), rtol=1e-6)
print("functional == subclassed == sequential ✓")
