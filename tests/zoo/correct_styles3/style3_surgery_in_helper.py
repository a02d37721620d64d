"""Sequential surgery done by a small helper applied straight to a freshly made model."""
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


def with_fresh_head(model, num_classes=10):
    """Sequential behaves like a list: pop the old head, add a fresh one."""
    old = model.pop()
    print("popped", old.name)
    model.add(layers.Dense(num_classes, activation="softmax", name="replacement_head"))
    return model


seq_model = with_fresh_head(make_sequential())
print(len(seq_model.layers))            # 3
assert len(seq_model.layers) == 3
assert seq_model.count_params() == 218_058
assert seq_model.layers[-1].name == "replacement_head"


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
