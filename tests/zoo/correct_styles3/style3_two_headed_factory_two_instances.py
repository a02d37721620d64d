"""Two-headed factory named like the lesson's model, called twice: `model` compiled and fitted, an untrained copy beside it."""
import numpy as np
import keras
from keras import layers


def two_headed():
    img_in = keras.Input(shape=(784,), name="pixels")
    meta_in = keras.Input(shape=(8,), name="metadata")
    x = layers.Dense(256, activation="relu")(img_in)
    x = layers.Dense(64, activation="relu")(x)
    m = layers.Dense(16, activation="relu")(meta_in)
    merged = layers.concatenate([x, m])
    return keras.Model(inputs=[img_in, meta_in],
                       outputs=[layers.Dense(10, activation="softmax", name="digit")(merged),
                                layers.Dense(1, activation="sigmoid", name="is_hard")(merged)])


model = two_headed()
model.compile(optimizer="adam",
              loss={"digit": "sparse_categorical_crossentropy", "is_hard": "binary_crossentropy"},
              loss_weights={"digit": 1.0, "is_hard": 0.3}, metrics={"digit": ["accuracy"]})
n = 128
X = {"pixels": np.random.rand(n, 784).astype("float32"), "metadata": np.random.rand(n, 8).astype("float32")}
Y = {"digit": np.random.randint(0, 10, size=(n,)), "is_hard": np.random.randint(0, 2, size=(n, 1)).astype("float32")}
model.fit(X, Y, epochs=1, batch_size=32, verbose=0)

# compare with an untrained copy
untrained = two_headed()
print("trained vs untrained digit outputs differ:",
      not np.allclose(model.predict(X, verbose=0)[0], untrained.predict(X, verbose=0)[0]))
