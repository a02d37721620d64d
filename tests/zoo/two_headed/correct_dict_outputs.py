import numpy as np
import keras
from keras import layers

img_in = keras.Input(shape=(784,), name="pixels")
meta_in = keras.Input(shape=(8,), name="metadata")

x = layers.Dense(256, activation="relu")(img_in)
x = layers.Dense(64, activation="relu")(x)
m = layers.Dense(16, activation="relu")(meta_in)
merged = layers.concatenate([x, m])

# outputs as a dict keyed by the head names
model = keras.Model(
    inputs={"pixels": img_in, "metadata": meta_in},
    outputs={"digit": layers.Dense(10, activation="softmax", name="digit")(merged),
             "is_hard": layers.Dense(1, activation="sigmoid", name="is_hard")(merged)},
    name="two_headed_mlp",
)
model.compile(
    optimizer="adam",
    loss={"digit": keras.losses.sparse_categorical_crossentropy, "is_hard": "binary_crossentropy"},
    loss_weights={"digit": 1.0, "is_hard": 0.3},
    metrics={"digit": ["accuracy"]},
)

if __name__ == "__main__":
    n = 128
    fake = {"pixels": np.random.rand(n, 784).astype("float32"),
            "metadata": np.random.rand(n, 8).astype("float32")}
    fake_y = {"digit": np.random.randint(0, 10, size=(n,)),
              "is_hard": np.random.randint(0, 2, size=(n, 1)).astype("float32")}
    model.fit(fake, fake_y, epochs=1, batch_size=32)
