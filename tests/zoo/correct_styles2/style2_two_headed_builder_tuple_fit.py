import numpy as np
import keras
from keras import layers


def build_two_headed():
    """Two inputs (pixels + metadata), two heads (digit + is_hard)."""
    pixels = keras.Input(shape=(784,), name="pixels")
    metadata = keras.Input(shape=(8,), name="metadata")

    trunk = pixels
    for units in (256, 64):
        trunk = layers.Dense(units, activation="relu")(trunk)
    tower = layers.Dense(16, activation="relu")(metadata)

    both = layers.concatenate([trunk, tower], axis=-1)
    digit = layers.Dense(10, activation="softmax", name="digit")(both)
    is_hard = layers.Dense(1, activation="sigmoid", name="is_hard")(both)
    return keras.Model([pixels, metadata], [digit, is_hard], name="two_headed_mlp")


two_headed = build_two_headed()
two_headed.compile(
    optimizer=keras.optimizers.Adam(learning_rate=1e-3),
    loss={"digit": keras.losses.SparseCategoricalCrossentropy(),
          "is_hard": keras.losses.BinaryCrossentropy()},
    loss_weights={"digit": 1.0, "is_hard": 0.3},
    metrics={"digit": "accuracy", "is_hard": "accuracy"},
)

rng = np.random.default_rng(0)
n = 96
X = (rng.random((n, 784), dtype=np.float32), rng.random((n, 8), dtype=np.float32))
Y = (rng.integers(0, 10, size=n), rng.integers(0, 2, size=(n, 1)).astype("float32"))
history = two_headed.fit(X, Y, epochs=1, batch_size=32, verbose=2)
print(f"total loss after one epoch: {history.history['loss'][-1]:.4f}")
