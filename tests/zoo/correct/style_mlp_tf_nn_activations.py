# The MLP written the way the old TensorFlow beginner tutorial writes it: tf.nn activations.
import numpy as np
import tensorflow as tf
from tensorflow import keras


def make_sequential():
    return keras.Sequential([
        keras.Input(shape=(784,)),
        keras.layers.Dense(256, activation=tf.nn.relu),
        keras.layers.Dense(64, activation=tf.nn.relu),
        keras.layers.Dense(10, activation=tf.nn.softmax),
    ], name="mlp_sequential")


seq_model = make_sequential()

inputs = keras.Input(shape=(784,))
h = keras.layers.Dense(256, activation=tf.nn.relu)(inputs)
h = keras.layers.Dense(64, activation=tf.nn.relu)(h)
outputs = keras.layers.Dense(10, activation=tf.nn.softmax)(h)
fn_model = keras.Model(inputs=inputs, outputs=outputs)


class MLP(keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.hidden = [keras.layers.Dense(256, activation=tf.nn.relu),
                       keras.layers.Dense(64, activation=tf.nn.relu)]
        self.head = keras.layers.Dense(10, activation=tf.nn.softmax)

    def call(self, inputs, training=False):
        x = inputs
        for layer in self.hidden:
            x = layer(x)
        return self.head(x)


sub_model = MLP()
sub_model(np.zeros((1, 784), dtype="float32"))
sub_model.set_weights(fn_model.get_weights())
x = np.random.rand(4, 784).astype("float32")
np.testing.assert_allclose(fn_model.predict(x, verbose=0), sub_model.predict(x, verbose=0), rtol=1e-6)
