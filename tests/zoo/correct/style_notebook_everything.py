# %% [markdown]
# Day 2 practice, exported from a notebook: MLP three ways, the surgery, the siamese task.

# %%
import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers

# %%
def make_sequential():
    return keras.Sequential([
        layers.Input(shape=(784,)),
        layers.Dense(256, activation="relu"),
        layers.Dense(64, activation="relu"),
        layers.Dense(10, activation="softmax"),
    ], name="mlp_sequential")

seq_model = make_sequential()
seq_model.summary()

# %%
inputs = keras.Input(shape=(784,), name="pixels")
h = layers.Dense(256, activation="relu")(inputs)
h = layers.Dense(64, activation="relu")(h)
outputs = layers.Dense(10, activation="softmax")(h)
fn_model = keras.Model(inputs=inputs, outputs=outputs, name="mlp_functional")
fn_model.summary()

# %%
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
sub_model.summary()

# %%
x = np.random.rand(4, 784).astype("float32")
sub_model.set_weights(fn_model.get_weights())
np.testing.assert_allclose(fn_model.predict(x, verbose=0), sub_model.predict(x, verbose=0), rtol=1e-6)

# %% a short fit of the Sequential on random data
seq_model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
seq_model.fit(np.random.rand(64, 784).astype("float32"), np.random.randint(0, 10, size=(64,)),
              epochs=1, batch_size=32, verbose=0)

# %% surgery
seq_model.pop()
seq_model.add(layers.Dense(10, activation="softmax"))
print(len(seq_model.layers))

# %% the task
left = keras.Input(shape=(784,), name="left")
right = keras.Input(shape=(784,), name="right")
shared = keras.Sequential([layers.Dense(256, activation="relu"),
                           layers.Dense(64, activation="relu")], name="shared_encoder")
merged = layers.Concatenate(axis=-1)([shared(left), shared(right)])
out = layers.Dense(1, activation="sigmoid", name="same_digit")(merged)
siamese = keras.Model(inputs=[left, right], outputs=out, name="siamese_mlp")
siamese.summary()
siamese.compile(optimizer="adam", loss="binary_crossentropy")
siamese.fit({"left": np.random.rand(32, 784), "right": np.random.rand(32, 784)},
            np.random.randint(0, 2, size=(32, 1)).astype("float32"), epochs=1, verbose=0)
