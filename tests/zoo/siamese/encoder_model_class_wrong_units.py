# Day 2 exercise - siamese digit comparator. The shared encoder is a keras.Model subclass,
# registered so the model can be saved; its hidden layer is 128 wide, not the lesson's 256.

import numpy as np
import keras
from keras import layers


@keras.saving.register_keras_serializable(package="homework")
class Encoder(keras.Model):
    def __init__(self, hidden=128, embedding=64, **kwargs):
        super().__init__(**kwargs)
        self.hidden, self.embedding = hidden, embedding
        self.fc1 = layers.Dense(hidden, activation="relu", name=f"enc_{hidden}")
        self.fc2 = layers.Dense(embedding, activation="relu", name=f"enc_{embedding}")

    def call(self, x, training=None):
        return self.fc2(self.fc1(x))

    def get_config(self):
        config = super().get_config()
        config.update(hidden=self.hidden, embedding=self.embedding)
        return config


encoder = Encoder(name="encoder")
left = keras.Input(shape=(784,), name="left")
right = keras.Input(shape=(784,), name="right")
merged = layers.concatenate([encoder(left), encoder(right)])
out = layers.Dense(1, activation="sigmoid", name="same_digit")(merged)
siamese = keras.Model(inputs=[left, right], outputs=out, name="siamese_mlp")
print(siamese.count_params())
