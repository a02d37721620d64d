"""Following the lesson top to bottom: Way 1, Way 2 (incl. two heads), Way 3, under the hood."""
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

# ---- Way 2
inputs = keras.Input(shape=(784,), name="pixels")
h = layers.Dense(256, activation="relu")(inputs)
h = layers.Dense(64, activation="relu")(h)
fn_model = keras.Model(inputs, layers.Dense(10, activation="softmax")(h), name="mlp_functional")

img_in = keras.Input(shape=(784,), name="pixels")
meta_in = keras.Input(shape=(8,), name="metadata")
x = layers.Dense(256, activation="relu", name="trunk_256")(img_in)
x = layers.Dense(64, activation="relu", name="trunk_64")(x)
m = layers.Dense(16, activation="relu", name="tower_16")(meta_in)
merged = layers.concatenate([x, m])
two_headed = keras.Model(
    inputs=[img_in, meta_in],
    outputs=[layers.Dense(10, activation="softmax", name="digit")(merged),
             layers.Dense(1, activation="sigmoid", name="is_hard")(merged)],
    name="two_headed_mlp",
)
two_headed.compile(
    optimizer="adam",
    loss={"digit": "sparse_categorical_crossentropy", "is_hard": "binary_crossentropy"},
    loss_weights={"digit": 1.0, "is_hard": 0.3},
    metrics={"digit": ["accuracy"]},
)
n = 64
two_headed.fit({"pixels": np.random.rand(n, 784), "metadata": np.random.rand(n, 8)},
               {"digit": np.random.randint(0, 10, n), "is_hard": np.random.randint(0, 2, (n, 1))},
               epochs=1, batch_size=32, verbose=0)
# curiosity: a frozen trunk layer drops out of what the optimizer sees
print(len(two_headed.trainable_weights))                    # 10
two_headed.get_layer("trunk_256").trainable = False
print(len(two_headed.trainable_weights))                    # 8
two_headed.get_layer("trunk_256").trainable = True


# ---- Way 3
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
xb = np.random.rand(4, 784).astype("float32")
sub_model.set_weights(fn_model.get_weights())
np.testing.assert_allclose(fn_model.predict(xb, verbose=0), sub_model.predict(xb, verbose=0), rtol=1e-6)

# ---- Under the hood
print(len(fn_model.weights))                # 6
print(len(fn_model.trainable_weights))      # 6
print(len(fn_model.non_trainable_weights))  # 0
fn_model.layers[1].trainable = False        # freeze the first Dense
print(len(fn_model.trainable_weights))      # 4
fn_model.layers[1].trainable = True         # unfreeze — back to 6
assert len(fn_model.trainable_weights) == 6
