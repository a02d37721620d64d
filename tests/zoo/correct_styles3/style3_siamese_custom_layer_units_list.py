import numpy as np
import keras
from keras import layers


class SharedEncoder(layers.Layer):
    """A tower of Dense layers; `units` lists the width of each one."""

    def __init__(self, units=(256, 64), activation="relu", **kwargs):
        super().__init__(**kwargs)
        self.units = list(units)
        self.activation = activation
        self.denses = [layers.Dense(u, activation=activation, name=f"enc_dense_{i + 1}")
                       for i, u in enumerate(self.units)]

    def call(self, x):
        for d in self.denses:
            x = d(x)
        return x

    def get_config(self):
        return {**super().get_config(), "units": self.units, "activation": self.activation}


left = keras.Input(shape=(784,), name="left")
right = keras.Input(shape=(784,), name="right")
encoder = SharedEncoder(name="encoder")
merged = layers.concatenate([encoder(left), encoder(right)])
out = layers.Dense(1, activation="sigmoid", name="same_digit")(merged)
siamese = keras.Model(inputs=[left, right], outputs=out, name="siamese_mlp")
siamese.summary()

assert siamese.count_params() == 217_537
assert len(siamese.trainable_weights) == 6
p = siamese.predict([np.random.rand(16, 784), np.random.rand(16, 784)], verbose=0)
assert p.shape == (16, 1) and (p > 0).all() and (p < 1).all()
print("ok")
