"""Two-headed model from a factory named like the lesson's model; compiled and fitted as `model`."""
import numpy as np
import keras
from keras import layers


def two_headed(image_dim: int = 784, meta_dim: int = 8) -> keras.Model:
    """The lesson's two-input / two-output model, uncompiled."""
    img_in = keras.Input(shape=(image_dim,), name="pixels")
    meta_in = keras.Input(shape=(meta_dim,), name="metadata")
    x = layers.Dense(256, activation="relu")(img_in)
    x = layers.Dense(64, activation="relu")(x)
    m = layers.Dense(16, activation="relu")(meta_in)
    merged = layers.concatenate([x, m])
    digit_out = layers.Dense(10, activation="softmax", name="digit")(merged)
    hard_out = layers.Dense(1, activation="sigmoid", name="is_hard")(merged)
    return keras.Model(inputs=[img_in, meta_in], outputs=[digit_out, hard_out],
                       name="two_headed_mlp")


model = two_headed()
model.compile(
    optimizer="adam",
    loss={"digit": "sparse_categorical_crossentropy", "is_hard": "binary_crossentropy"},
    loss_weights={"digit": 1.0, "is_hard": 0.3},
    metrics={"digit": ["accuracy"]},
)
n = 128
fake = {"pixels": np.random.rand(n, 784).astype("float32"),
        "metadata": np.random.rand(n, 8).astype("float32")}
fake_y = {"digit": np.random.randint(0, 10, size=(n,)),
          "is_hard": np.random.randint(0, 2, size=(n, 1)).astype("float32")}
model.fit(fake, fake_y, epochs=1, batch_size=32, verbose=2)
