# Notebook-style: a list of shared layers applied in a loop, summary, a short fit, and
# some unrelated models in the same file.
import numpy as np
import keras
from keras import layers

# an unrelated autoencoder from earlier experiments
ae_in = keras.Input(shape=(784,))
ae_code = layers.Dense(32, activation="relu")(ae_in)
ae_out = layers.Dense(784, activation="sigmoid")(ae_code)
autoencoder = keras.Model(ae_in, ae_out, name="autoencoder")

# and a tiny classifier
clf = keras.Sequential([keras.Input(shape=(20,)), layers.Dense(3, activation="softmax")])

encoder_layers = [
    layers.Dense(256, activation="relu"),
    layers.Dense(64, activation="relu"),
]


def embed(x):
    for layer in encoder_layers:
        x = layer(x)
    return x


inputs = [keras.Input(shape=(784,), name=n) for n in ("left", "right")]
embeddings = [embed(t) for t in inputs]
x = layers.Concatenate(axis=1)(embeddings)
same = layers.Dense(1, activation="sigmoid", name="same_digit")(x)
model = keras.Model(inputs, same)

model.summary()
model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
n = 64
xl = np.random.rand(n, 784).astype("float32")
xr = np.random.rand(n, 784).astype("float32")
y = np.random.randint(0, 2, size=(n, 1)).astype("float32")
history = model.fit([xl, xr], y, epochs=1, batch_size=16, verbose=0)
print(history.history)
print(len(model.trainable_weights), "trainable weights")
