import numpy as np
import keras
from keras import layers


class Siamese(keras.Model):
    """Siamese digit comparator - subclassing because it's cleaner imo."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # shared encoder, created once
        self.enc1 = layers.Dense(256, activation="relu", name="enc_dense_1")
        self.enc2 = layers.Dense(64, activation="relu", name="enc_dense_2")
        self.concat = layers.Concatenate()
        self.head = layers.Dense(1, activation="sigmoid", name="same_digit")

    def encode(self, x):
        return self.enc2(self.enc1(x))

    def call(self, inputs):
        left, right = inputs
        return self.head(self.concat([self.encode(left), self.encode(right)]))


siamese = Siamese(name="siamese_mlp")

# build it with a fake batch
fake_left = np.random.rand(2, 784).astype("float32")
fake_right = np.random.rand(2, 784).astype("float32")
siamese([fake_left, fake_right])
siamese.summary()

print("params:", siamese.count_params())
print("trainable weights:", len(siamese.trainable_weights))

p = siamese.predict([np.random.rand(16, 784).astype("float32"),
                     np.random.rand(16, 784).astype("float32")], verbose=0)
print(p.shape)
