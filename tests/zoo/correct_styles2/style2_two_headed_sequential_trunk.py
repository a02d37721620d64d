import numpy as np
import keras
from keras import layers

pixels = keras.Input(shape=(784,), name="pixels")
metadata = keras.Input(shape=(8,), name="metadata")

image_trunk = keras.Sequential(
    [layers.Dense(256, activation="relu"), layers.Dense(64, activation="relu")], name="image_trunk")
meta_tower = keras.Sequential([layers.Dense(16, activation="relu")], name="meta_tower")

features = layers.Concatenate(axis=1)([image_trunk(pixels), meta_tower(metadata)])
two_headed = keras.Model(
    inputs=[pixels, metadata],
    outputs=[layers.Dense(10, activation="softmax", name="digit")(features),
             layers.Dense(1, activation="sigmoid", name="is_hard")(features)],
    name="two_headed_mlp",
)
two_headed.compile(
    optimizer="adam",
    loss={"digit": "sparse_categorical_crossentropy", "is_hard": "binary_crossentropy"},
    loss_weights={"digit": 1.0, "is_hard": 0.3},
    metrics=None,
)
two_headed.summary()

n = 128
two_headed.fit(
    {"pixels": np.random.rand(n, 784).astype("float32"),
     "metadata": np.random.rand(n, 8).astype("float32")},
    {"digit": np.random.randint(0, 10, size=(n,)),
     "is_hard": np.random.randint(0, 2, size=(n,)).astype("float32")},
    epochs=1, batch_size=32, verbose=0,
)
