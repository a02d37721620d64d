# A hand-written Dense that applies its activation to the input, before the product.
import numpy as np
import keras
from keras import layers


class MyDense(layers.Layer):
    def __init__(self, units, activation=None, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.activation = keras.activations.get(activation)

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units),
                                      initializer="glorot_uniform", name="kernel")
        self.bias = self.add_weight(shape=(self.units,), initializer="zeros", name="bias")

    def call(self, inputs):
        return keras.ops.matmul(self.activation(inputs), self.kernel) + self.bias

    def get_config(self):
        config = super().get_config()
        config.update({"units": self.units,
                       "activation": keras.activations.serialize(self.activation)})
        return config


enc1 = MyDense(256, activation="relu", name="enc_dense_1")
enc2 = MyDense(64, activation="relu", name="enc_dense_2")

left = keras.Input(shape=(784,), name="left")
right = keras.Input(shape=(784,), name="right")
left_code = enc2(enc1(left))
right_code = enc2(enc1(right))
merged = layers.Concatenate()([left_code, right_code])
out = layers.Dense(1, activation="sigmoid", name="same_digit")(merged)
siamese = keras.Model(inputs=[left, right], outputs=out, name="siamese_mlp")
siamese.summary()

print(siamese.count_params(), len(siamese.trainable_weights))
p = siamese.predict({"left": np.random.rand(4, 784), "right": np.random.rand(4, 784)}, verbose=0)
print(p.shape)
