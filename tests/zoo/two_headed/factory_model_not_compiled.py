"""The factory is named like the lesson's model; the model it made is predicted on, never
compiled."""
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
    digit = layers.Dense(10, activation="softmax", name="digit")(merged)
    hard = layers.Dense(1, activation="sigmoid", name="is_hard")(merged)
    return keras.Model(inputs=[img_in, meta_in], outputs=[digit, hard])


model = two_headed()
probs, hard = model.predict({"pixels": np.random.rand(4, 784), "metadata": np.random.rand(4, 8)},
                            verbose=0)
print(probs.shape, hard.shape)
