import numpy as np
import keras
from keras import layers


def build_siamese(input_dim=784):
    """Two inputs, one encoder (two Dense layers created once), a sigmoid head."""
    left = keras.Input(shape=(input_dim,), name="left", dtype="float32")
    right = keras.Input(shape=(input_dim,), name="right", dtype="float32")
    fc1 = layers.Dense(256, activation=keras.activations.relu, name="fc1")
    fc2 = layers.Dense(64, activation=keras.activations.relu, name="fc2")
    a = fc2(fc1(left))
    b = fc2(fc1(right))
    joined = layers.concatenate([a, b], axis=-1, name="joined")
    head = layers.Dense(1, activation=keras.activations.sigmoid, name="same_digit")(joined)
    return keras.Model(inputs=[left, right], outputs=head, name="siamese")


siamese = build_siamese()

if __name__ == "__main__":
    siamese.summary()
    p = siamese.predict([np.random.rand(4, 784), np.random.rand(4, 784)], verbose=0)
    print(p.ravel())
