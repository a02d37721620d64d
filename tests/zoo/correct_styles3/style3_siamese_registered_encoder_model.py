import numpy as np
import keras
from keras import layers


@keras.saving.register_keras_serializable(package="day02")
class Encoder(keras.Model):
    """Dense 256 relu -> Dense 64 relu. One instance is shared by both towers."""

    def __init__(self, units=(256, 64), **kwargs):
        super().__init__(**kwargs)
        self.units = tuple(units)
        self.fc1 = layers.Dense(self.units[0], activation="relu", name="enc_dense_1")
        self.fc2 = layers.Dense(self.units[1], activation="relu", name="enc_dense_2")

    def call(self, x, training=None):
        return self.fc2(self.fc1(x))

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.units[-1])

    def get_config(self):
        config = super().get_config()
        config.update({"units": list(self.units)})
        return config


left = keras.Input(shape=(784,), name="left")
right = keras.Input(shape=(784,), name="right")

encoder = Encoder(name="shared_encoder")
z_left, z_right = encoder(left), encoder(right)

merged = layers.concatenate([z_left, z_right], name="merge")
out = layers.Dense(1, activation="sigmoid", name="same_digit")(merged)

siamese = keras.Model(inputs=[left, right], outputs=out, name="siamese_mlp")
siamese.summary(expand_nested=True)

assert siamese.count_params() == 217_537, siamese.count_params()
assert len(siamese.trainable_weights) == 6

x = [np.random.rand(5, 784).astype("float32"), np.random.rand(5, 784).astype("float32")]
p = siamese.predict(x, verbose=0)
assert p.shape == (5, 1) and (p > 0).all() and (p < 1).all()
print("checks passed")
