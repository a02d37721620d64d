"""Weights, trainable_weights, non_trainable_weights; freeze layers[1] via enumerate."""
import numpy as np
import keras
from keras import layers

inputs = keras.Input(shape=(784,), name="pixels")
h = layers.Dense(256, activation="relu")(inputs)
h = layers.Dense(64, activation="relu")(h)
outputs = layers.Dense(10, activation="softmax")(h)
fn_model = keras.Model(inputs=inputs, outputs=outputs, name="mlp_functional")

print("all        :", len(fn_model.weights))                 # 6
print("trainable  :", len(fn_model.trainable_weights))       # 6
print("frozen     :", len(fn_model.non_trainable_weights))   # 0

for i, lyr in enumerate(fn_model.layers):
    print(i, lyr.name, type(lyr).__name__, len(lyr.weights))
    if i == 1:                      # layers[0] is the InputLayer -> index 1 is the first Dense
        lyr.trainable = False

n_train = len(fn_model.trainable_weights)
n_frozen = len(fn_model.non_trainable_weights)
print("after freeze:", n_train, n_frozen)                    # 4 2
assert (n_train, n_frozen) == (4, 2), (n_train, n_frozen)

fn_model.layers[1].trainable = True
assert len(fn_model.trainable_weights) == 6
assert len(fn_model.non_trainable_weights) == 0
print("unfrozen:", len(fn_model.trainable_weights))          # 6


# ---- Way 1 and Way 3 of the lesson, so all three builds are here ----
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
